import { ConfigError, loadConfig } from "./config/config";
import { createLogger } from "./observability/log";
import { startServer } from "./server";

const USAGE = `Usage: plenum [serve]

Commands:
  serve    Start the server (default). Configured by PLENUM_* environment variables (see README).
`;

async function serve(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log, config.clientDir);
  // The line tests and people look for; keep its shape.
  process.stdout.write(`Plenum is running at ${server.url}\n`);

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

const [command = "serve"] = process.argv.slice(2);
if (command === "serve") {
  serve().catch((error: Error) => {
    process.stderr.write(`Plenum could not start: ${error.message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write(
    command === "help" || command === "--help"
      ? USAGE
      : `Unknown command "${command}".\n\n${USAGE}`,
  );
  process.exit(command === "help" || command === "--help" ? 0 : 2);
}
