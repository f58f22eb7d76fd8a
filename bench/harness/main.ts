/**
 * `npm run bench -- <scenario> [options]`: Plenum against Janus under the same
 * synthetic WebRTC load, in network namespaces of its own. See bench/RESULTS.md.
 */
import type { ServerKind } from "../loadgen/messages";
import { type BenchOptions, DEFAULT_RESULTS_DIR, runBench } from "./bench";
import { parseTileMix } from "./tiles";

const USAGE = `usage: npm run bench -- <a|b|c|d|e|f> [options]
  --runs N               repeat the whole scenario N times (medians in the summary; default 1)
  --duration S           seconds of measurement per step (default: the scenario's)
  --warmup S             seconds between all joined and the window (default 45 for a, 10 otherwise)
  --plenum-env KEY=VALUE environment for the Plenum server (repeatable), e.g. PLENUM_MEDIA_WORKERS=2
  --only plenum|janus    run one server only
  --fan-out 1,10,50      scenario a: the subscriber counts (default 1,10,50,100)
  --max-rooms N          scenario b: the most rooms to try (default 8)
  --workers N            load generator processes (default: one per 20 clients, at most 4)
  --layers 1|3           camera simulcast layers the publishers send (default 3: q, h, f)
  --tiles S:M:L|none     subscribers showing cameras small/medium/large, as weights (default 1:1:1);
                         none: no video-preferences (Plenum chooses; Janus forwards the top layer)
  --loss P               drop P % of what the server sends, after the joins (nftables; default 0)
  --seed N               first seed (run i uses seed + i; default 1)
  --results DIR          where <scenario>.jsonl goes (default bench/results)
Needs root (it makes network namespaces) and, for the baseline, the Debian package janus.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`${flag} needs a whole number, got "${value ?? ""}"`);
  return n;
}

export function parseArgs(argv: string[]): Omit<BenchOptions, "log"> {
  const options: Omit<BenchOptions, "log"> = {
    scenario: "",
    runs: 1,
    plenumEnv: {},
    resultsDir: DEFAULT_RESULTS_DIR,
    seed: 1,
    workers: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--runs":
        options.runs = Math.max(1, positiveInt(arg, value()));
        break;
      case "--duration":
        options.durationS = Number(value());
        if (!(options.durationS > 0)) fail("--duration needs a positive number of seconds");
        break;
      case "--warmup":
        options.warmupS = Number(value());
        if (!(options.warmupS >= 0)) fail("--warmup needs a number of seconds");
        break;
      case "--plenum-env": {
        const v = value();
        const eq = v.indexOf("=");
        if (eq < 1) fail(`--plenum-env needs KEY=VALUE, got "${v}"`);
        options.plenumEnv[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      case "--only": {
        const v = value();
        if (v !== "plenum" && v !== "janus") fail(`--only takes plenum or janus, got "${v}"`);
        options.only = v as ServerKind;
        break;
      }
      case "--fan-out":
        options.fanOuts = value()
          .split(",")
          .map((n) => positiveInt(arg, n));
        break;
      case "--max-rooms":
        options.maxRooms = positiveInt(arg, value());
        break;
      case "--workers":
        options.workers = positiveInt(arg, value());
        break;
      case "--layers": {
        const v = value();
        if (v !== "1" && v !== "3") fail(`--layers takes 1 or 3, got "${v}"`);
        options.videoLayers = v === "1" ? 1 : 3;
        break;
      }
      case "--tiles":
        try {
          options.tiles = parseTileMix(value());
        } catch (error) {
          fail((error as Error).message);
        }
        break;
      case "--loss":
        options.lossPercent = Number(value());
        if (!(options.lossPercent >= 0 && options.lossPercent <= 100))
          fail("--loss needs a percentage from 0 to 100");
        break;
      case "--seed":
        options.seed = positiveInt(arg, value());
        break;
      case "--results":
        options.resultsDir = value();
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        if (arg.startsWith("-") || options.scenario) fail(`unexpected argument "${arg}"`);
        options.scenario = arg;
    }
  }
  if (!options.scenario) fail("which scenario? a, b, c, d, e or f");
  if (!/^[a-f]$/.test(options.scenario))
    fail(`unknown scenario "${options.scenario}": choose a, b, c, d, e or f`);
  return options;
}

if (process.getuid?.() !== 0) {
  fail("The benchmark builds its own network namespaces and needs root (sudo npm run bench -- …).");
}
const options = parseArgs(process.argv.slice(2));
const { summary, file } = await runBench({ ...options, log: (l) => console.log(l) });
console.log(summary);
console.log(`\nAppended to ${file}`);
