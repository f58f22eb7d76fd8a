// Only what `serve` needs before the media threads start is imported here; the rest of the
// server is loaded while they load (see `serve`).
import { type Config, ConfigError, loadConfig } from "./config/config";
import { startMediaWorkers } from "./media/workers/engine";
import { createLogger } from "./observability/log";

const USAGE = `Usage: plenum [serve | user | audit | audit-deps | docs | subject]

Commands:
  serve       Start the server (default). Configured by PLENUM_* environment variables (see README).
  user        Manage organiser accounts: add, passwd, remove, list ("plenum user help").
  audit       Check a running deployment against COMPLIANCE.md ("plenum audit --help").
  audit-deps  Refresh the dependency audit report that "audit" reads (needs the npm registry).
  docs        Generate the record of processing or the TOMs ("plenum docs --help").
  subject     Export or erase what is stored about an account ("plenum subject --help").
`;

/** Commands that run once and exit with their status; each gets its arguments and the config. */
const COMMANDS: Record<string, (args: string[], config: Config) => Promise<number>> = {
  user: async (args, config) => (await import("./account/cli")).userCommand(args, config),
  audit: async (args, config) => (await import("./compliance/cli")).auditCommand(args, config),
  "audit-deps": async (args, config) =>
    (await import("./compliance/cli")).auditDepsCommand(args, config),
  docs: async (args, config) => (await import("./compliance/cli")).docsCommand(args, config),
  subject: async (args, config) => (await import("./compliance/cli")).subjectCommand(args, config),
};

/** The configuration, or exit 2 with every problem named. */
function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

async function serve(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  // First: the threads load werift beside the main thread loading the rest of the server,
  // so a restarted server has its media ready about when its port opens.
  const media = startMediaWorkers(config.media, log);
  const { startServer } = await import("./server");
  const server = await startServer(config, log, config.clientDir, Date.now, media);
  // The line tests and people look for; keep its shape.
  process.stdout.write(`Plenum is running at ${server.url}\n`);

  // SIGTERM (systemd, Docker, Kubernetes) and Ctrl-C: joins are refused at once, everyone is
  // told and reconnects once the server is back; media and the store close in order; exit 0.
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    // A cluster node drains on SIGTERM first: its running meetings may end in peace.
    const drained = signal === "SIGTERM" ? server.drain() : Promise.resolve();
    drained
      .then(() => server.close(config.shutdownGraceSeconds * 1000))
      .then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  // systemd's ExecReload and `docker kill -s HUP`: a renewed certificate, no restart.
  process.on("SIGHUP", () => server.reload());
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

const [command = "serve", ...rest] = process.argv.slice(2);
if (command === "serve") {
  serve().catch((error: Error) => {
    // Unreadable or mismatched certificate files are a configuration mistake like any other.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Plenum could not start: ${error.message}\n`);
    process.exit(1);
  });
} else if (COMMANDS[command]) {
  COMMANDS[command](rest, configOrExit()).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`plenum ${command} failed: ${error.message}\n`);
      // An unknown option is a usage error, as everywhere else.
      process.exit((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1);
    },
  );
} else {
  process.stderr.write(
    command === "help" || command === "--help"
      ? USAGE
      : `Unknown command "${command}".\n\n${USAGE}`,
  );
  process.exit(command === "help" || command === "--help" ? 0 : 2);
}
