/**
 * Summarises `--cpu-prof` profiles of the SFU (from `run.ts --profile dir`):
 * self time per function and per category, as shares of the sampled time.
 *
 *   npx tsx bench/forwarding/profile.ts dir [--top 25] [--window S --skip-end S]
 *
 * `--window S` counts only the samples of the S seconds before the profile's
 * end less `--skip-end` (default 1): for whole-process profiles (`node
 * --cpu-prof`, e.g. the real server in bench/harness via
 * PLENUM_BENCH_NODE_ARGS), the measurement window without start-up and joins.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  startTime: number;
  endTime: number;
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    window: { type: "string" },
    "skip-end": { type: "string", default: "1" },
  },
});
const dir = positionals[0];
if (!dir) throw new Error("usage: profile.ts <dir with .cpuprofile files>");

/** Rough buckets, matched in order against "function url". */
const CATEGORIES: Array<[string, RegExp]> = [
  ["idle", /^\(idle\)|^\(program\)/],
  ["GC", /^\(garbage collector\)/],
  [
    "UDP send (sendmsg)",
    /^(send|doSend|afterDns|defaultTriggerAsyncIdScope|lookup4?|onlookup) .*(dgram|dns)|^send \s*$|^send node:internal/,
  ],
  [
    "SRTP/SRTCP crypto (native)",
    /^(update|final|setAAD|getAuthTag|setAuthTag|createCipheriv|createDecipheriv|Cipheriv|Decipheriv|createHmac|Hmac|digest|timingSafeEqual|LazyTransform|CipherBase|_update|_final)\b.*(crypto|internal\/streams)|createCipherBase|getArrayBufferOrView|prepareSecretKey/,
  ],
  ["our fast path", /src\/server\/media\/werift\/fast\//],
  [
    "werift SRTP",
    /werift.*(encryptRtp|decryptRtp|encryptRTCP|decryptRTCP|generateCounter|generateSrtpAuthTag|rtpInitializationVector|updateRolloverCount|parseSrtp|finalizeSrtp|assertAuth)/,
  ],
  [
    "werift RTP/RTCP parse+serialize",
    /werift.*(deSerialize|serialize|serializeTo|serializeSize|get payloadOffset|get extensionLength|RtpHeader|RtpPacket|readUInt|writeUInt)/,
  ],
  ["werift per-packet JS (sender/receiver/events)", /werift/],
  ["our SFU code", /src\/server\/media/],
  [
    "Buffer/alloc",
    /(allocUnsafe|concat|alloc|from|copy|subarray|slice|createPool|FastBuffer).*buffer/,
  ],
  [
    "promises/microtasks/timers",
    /processTicksAndRejections|runMicrotasks|processPromiseRejections|listOnTimeout|processTimers|nextTick/,
  ],
];

const byFunction = new Map<string, number>();
const byCategory = new Map<string, number>();
let total = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const last = profile.endTime - Number(values["skip-end"]) * 1e6;
  const first = values.window === undefined ? 0 : last - Number(values.window) * 1e6;
  let at = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    at += profile.timeDeltas[i] ?? 0;
    if (values.window !== undefined && (at < first || at > last)) continue;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  for (const [id, us] of self) {
    const n = nodes.get(id);
    if (!n) continue;
    const name = n.callFrame.functionName || "(anonymous)";
    const url = n.callFrame.url
      .replace(/^.*node_modules\//, "")
      .replace(/^file:\/\/.*?\/(src|bench)\//, "$1/");
    const key = `${name} ${url}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const category = CATEGORIES.find(([, re]) => re.test(`${name} ${url}`))?.[0] ?? "other";
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    if (category !== "idle") total += us;
  }
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
console.log(`busy (non-idle) sampled time: ${(total / 1e6).toFixed(2)} s\n`);
console.log("| category | share of busy time |\n|---|---|");
for (const [c, us] of [...byCategory].sort((a, b) => b[1] - a[1]))
  if (c !== "idle") console.log(`| ${c} | ${pct(us)} |`);
console.log("\n| self time | function |\n|---|---|");
for (const [f, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  if (!f.startsWith("(idle)") && !f.startsWith("(program)"))
    console.log(`| ${pct(us)} | \`${f}\` |`);
