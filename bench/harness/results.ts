import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { join } from "node:path";
import { janusVersion } from "./janus";
import type { Metrics } from "./run-step";
import { VIDEO_ROWS } from "./video";

export interface Machine {
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  janus: string;
  commit: string;
  date: string;
  /** Load average when the run started: this machine is shared, say how busy it was. */
  loadAverage: string;
}

export function describeMachine(): Machine {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    // The results this harness appends do not make the code under test dirty.
    const dirty = execFileSync("git", ["status", "--porcelain", "--", ".", ":!bench/results"], {
      encoding: "utf8",
    }).trim();
    if (dirty) commit += "+dirty";
  } catch {
    // Not a git checkout.
  }
  let loadAverage = "";
  try {
    loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    // Not Linux.
  }
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    kernel: release(),
    node: process.version,
    janus: janusVersion(),
    commit,
    date: new Date().toISOString(),
    loadAverage,
  };
}

export interface StepResult {
  label: string;
  plenum?: Metrics;
  janus?: Metrics;
}

export interface RunRecord {
  scenario: string;
  run: number;
  seed: number;
  machine: Machine;
  settings: Record<string, unknown>;
  steps: StepResult[];
}

/** Appends one JSON line for the run to <dir>/<scenario>.jsonl; returns the file. */
export function appendRun(dir: string, record: RunRecord): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${record.scenario}.jsonl`);
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  return file;
}

const COLUMNS: Array<[string, keyof Metrics, number]> = [
  ["server CPU s/s", "cpuSecondsPerSecond", 3],
  ["µs CPU/packet", "usPerPacket", 1],
  ["load generator CPU s/s", "loadgenCpuSecondsPerSecond", 2],
  ["forwarded pkt/s", "packetsPerSecond", 0],
  ["Mbit/s", "bitsPerSecond", 1],
  ["loss %", "lossPercent", 2],
  ["latency p50 ms", "latencyP50Ms", 2],
  ["latency p99 ms", "latencyP99Ms", 2],
  ["join p50 ms", "joinP50Ms", 0],
  ["join p95 ms", "joinP95Ms", 0],
  ["RSS MiB", "rssMiB", 1],
  ["RSS/participant MiB", "rssPerParticipantMiB", 2],
  ["RSS/stream MiB", "rssPerStreamMiB", 3],
  ["event loop p99 ms", "eventLoopP99Ms", 1],
  ["open fds", "fds", 0],
  ["retried joins", "retried", 0],
  ["failed joins", "failed", 0],
];

function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return "–";
  if (digits === 0) return Math.round(value).toLocaleString("en");
  return value.toFixed(digits);
}

/** The median; of an even count, the mean of the middle two. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function medianOfValues(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length ? median(finite) : Number.NaN;
}

function medianOf(runs: Metrics[], key: keyof Metrics, scale = 1): number {
  const values = runs
    .map((m) => m[key])
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return values.length ? median(values) * scale : Number.NaN;
}

/** A Markdown table per step: medians over the runs, Plenum and Janus side by side, and their ratio. */
export function summarise(records: RunRecord[]): string {
  const labels = [...new Set(records.flatMap((r) => r.steps.map((s) => s.label)))];
  const out: string[] = [];
  for (const label of labels) {
    const steps = records.flatMap((r) => r.steps.filter((s) => s.label === label));
    const plenum = steps.flatMap((s) => (s.plenum ? [s.plenum] : []));
    const janus = steps.flatMap((s) => (s.janus ? [s.janus] : []));
    out.push(
      `\n### ${label} (median of ${Math.max(plenum.length, janus.length)} run(s))\n`,
      "| metric | Plenum | Janus | Plenum/Janus |",
      "|---|---|---|---|",
    );
    for (const [name, key, digits] of COLUMNS) {
      const scale = key === "bitsPerSecond" ? 1e-6 : 1;
      const p = medianOf(plenum, key, scale);
      const j = medianOf(janus, key, scale);
      const ratio = Number.isFinite(p) && Number.isFinite(j) && j !== 0 ? (p / j).toFixed(2) : "–";
      out.push(`| ${name} | ${fmt(p, digits)} | ${fmt(j, digits)} | ${ratio} |`);
    }
    const pv = plenum.flatMap((m) => (m.video ? [m.video] : []));
    const jv = janus.flatMap((m) => (m.video ? [m.video] : []));
    if (pv.length + jv.length > 0)
      for (const [name, value, digits] of VIDEO_ROWS) {
        const p = medianOfValues(pv.map(value));
        const j = medianOfValues(jv.map(value));
        const ratio =
          Number.isFinite(p) && Number.isFinite(j) && j !== 0 ? (p / j).toFixed(2) : "–";
        out.push(`| ${name} | ${fmt(p, digits)} | ${fmt(j, digits)} | ${ratio} |`);
      }
    const soak = [...plenum, ...janus].filter((m) => m.rssStartMiB !== undefined);
    for (const m of soak)
      out.push(
        `\n${m.server}: RSS ${fmt(m.rssStartMiB ?? Number.NaN, 1)} → ${fmt(m.rssMiB, 1)} MiB, open fds ${m.fdsStart} → ${m.fds} over ${fmt(m.windowS, 0)} s, ${m.churns ?? "?"} leaves and joins`,
      );
    const errors = [...plenum, ...janus].flatMap((m) => m.errors.map((e) => `${m.server}: ${e}`));
    if (errors.length) out.push("", ...[...new Set(errors)].map((e) => `- ${e}`));
  }
  return out.join("\n");
}
