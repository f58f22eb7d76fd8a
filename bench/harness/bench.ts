import { resolve } from "node:path";
import { createTestNetwork, type TestNetwork } from "../../test/support/netns";
import type { ServerKind } from "../loadgen/messages";
import { appendRun, describeMachine, type RunRecord, type StepResult, summarise } from "./results";
import { runStep } from "./run-step";
import { scenario } from "./scenarios";
import { DEFAULT_TILES, type TileMix, withTiles } from "./tiles";
import { describeVideo } from "./video";

export interface BenchOptions {
  scenario: string;
  runs: number;
  /** Seconds of measurement per step; the scenario's default when undefined. */
  durationS?: number;
  /** Seconds of warm-up per step; the scenario's default when absent. */
  warmupS?: number;
  plenumEnv: Record<string, string>;
  only?: ServerKind;
  resultsDir: string;
  seed: number;
  workers: number;
  fanOuts?: number[];
  maxRooms?: number;
  /** Camera layers the publishers send (default: the scenario's, 3). */
  videoLayers?: 1 | 3;
  /** Tile sizes of the subscribers (default 1:1:1); "none": no preferences. */
  tiles?: TileMix | "none";
  /** Percent of the server's packets dropped after the joins (default 0). */
  lossPercent?: number;
  log: (line: string) => void;
}

export const DEFAULT_RESULTS_DIR = resolve(import.meta.dirname, "../results");

/**
 * Runs a scenario `runs` times against Plenum and Janus (alternating, each
 * step on a fresh server), appends one JSON line per run and returns the
 * Markdown summary of medians. Everything it starts (namespaces, servers,
 * load generators) is gone when it returns or throws, and on SIGINT/SIGTERM.
 */
export async function runBench(
  options: BenchOptions,
): Promise<{ summary: string; file: string; records: RunRecord[] }> {
  const sc = scenario(options.scenario, {
    ...(options.fanOuts ? { fanOuts: options.fanOuts } : {}),
    ...(options.maxRooms ? { maxRooms: options.maxRooms } : {}),
  });
  const durationS = options.durationS ?? sc.defaultDuration;
  const warmupS = options.warmupS ?? sc.defaultWarmup;
  const media = {
    ...sc.media,
    ...(options.videoLayers ? { videoLayers: options.videoLayers } : {}),
  };
  const tiles = options.tiles ?? DEFAULT_TILES;
  const servers: ServerKind[] = options.only ? [options.only] : ["plenum", "janus"];
  const closers = new Set<() => Promise<void>>();
  const track = (close: () => Promise<void>) => {
    closers.add(close);
    return () => closers.delete(close);
  };
  let net: TestNetwork | undefined;
  const teardown = async () => {
    await Promise.allSettled([...closers].map((c) => c()));
    closers.clear();
    net?.close();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    options.log(`\n${signal}: stopping servers and load generators, removing namespaces ...`);
    void teardown().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const records: RunRecord[] = [];
  let file = "";
  try {
    net = createTestNetwork({ serverNamespace: true });
    const machine = describeMachine();
    options.log(
      `Scenario ${sc.id}: ${sc.title}\n${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverage}; server ${net.serverAddress}, clients ${net.clientAddress}`,
    );
    for (let run = 0; run < options.runs; run++) {
      const seed = options.seed + run;
      const steps: StepResult[] = [];
      const broken = new Set<ServerKind>();
      for (const step of sc.steps().map((st) => withTiles(st, tiles))) {
        const result: StepResult = { label: step.label };
        // Alternate who goes first, so that drift in the machine's load hits both alike.
        const order = run % 2 === 0 ? servers : [...servers].reverse();
        for (const kind of order.filter((k) => !broken.has(k))) {
          options.log(`run ${run + 1}/${options.runs} · ${step.label} · ${kind} ...`);
          const m = await runStep(
            net,
            kind,
            step,
            {
              durationS,
              warmupS,
              media,
              seed,
              plenumEnv: options.plenumEnv,
              workers: options.workers,
              ...(options.lossPercent ? { lossPercent: options.lossPercent } : {}),
            },
            track,
          );
          result[kind] = m;
          options.log(
            `  ${m.packetsPerSecond.toFixed(0)} pkt/s, CPU ${m.cpuSecondsPerSecond.toFixed(2)} s/s, ${m.usPerPacket.toFixed(1)} µs/pkt, loss ${m.lossPercent.toFixed(2)} %, p99 ${m.latencyP99Ms.toFixed(1)} ms, joins ${m.joined} ok (${m.retried} retried) / ${m.failed} failed`,
          );
          if (m.video) options.log(`  ${describeVideo(m.video)}`);
          if (sc.breaks?.(m)) broken.add(kind);
        }
        steps.push(result);
        if (servers.every((k) => broken.has(k))) break;
      }
      const record: RunRecord = {
        scenario: sc.id,
        run,
        seed,
        machine,
        settings: {
          durationS,
          warmupS,
          media,
          tiles,
          lossPercent: options.lossPercent ?? 0,
          plenumEnv: options.plenumEnv,
          servers,
          workers: options.workers,
          ...(options.fanOuts ? { fanOuts: options.fanOuts } : {}),
          ...(options.maxRooms ? { maxRooms: options.maxRooms } : {}),
        },
        steps,
      };
      records.push(record);
      file = appendRun(options.resultsDir, record);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await teardown();
  }
  return { summary: summarise(records), file, records };
}
