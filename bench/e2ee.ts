/**
 * `npm run bench:e2ee`: the cost of end-to-end encryption, measured side by
 * side in one run (medians). Never part of `npm test`: timings are reported,
 * not asserted. Results and their reading: bench/RESULTS.md.
 */
import { DEFAULT_SUITE, POST_QUANTUM_SUITE } from "../src/client/sdk/e2ee/suite";
import { joinToFirstFrame } from "./join";
import { membershipChange } from "./mls";
import { frameCost } from "./sframe";

const f = (n: number) => n.toFixed(n < 1 ? 3 : 1);

console.log("## MLS membership change (one Add), medians of 5\n");
console.log(
  "| members | suite | commit + Welcome created ms | member processes commit ms (median / slowest) | joiner processes Welcome ms | change complete ms | Welcome bytes |",
);
console.log("|---|---|---|---|---|---|---|");
for (const size of [10, 50, 100]) {
  for (const suite of [DEFAULT_SUITE, POST_QUANTUM_SUITE]) {
    const r = await membershipChange(size, suite, 5);
    const name = suite === DEFAULT_SUITE ? "default (X25519)" : "PQ hybrid (X-Wing)";
    console.log(
      `| ${size} | ${name} | ${f(r.commitMs)} | ${f(r.processMs)} / ${f(r.processMaxMs)} | ${f(r.welcomeMs)} | ${f(r.changeMs)} | ${r.welcomeBytes} |`,
    );
  }
}

console.log("\n## SFrame encryption per frame (WebCrypto AES-128-GCM, 2000 frames)\n");
console.log("| frame | median ms | p99 ms |");
console.log("|---|---|---|");
for (const [label, kind, size] of [
  ["720p VP8 delta (6 KB)", "video", 6_000],
  ["720p VP8 key (40 KB)", "video", 40_000],
  ["Opus 20 ms (120 B)", "audio", 120],
] as const) {
  const r = await frameCost(kind, size, 2000);
  console.log(`| ${label} | ${f(r.median)} | ${f(r.p99)} |`);
}

console.log("\n## Join to first decoded frame in Chromium, medians of 5 (alternating)\n");
const j = await joinToFirstFrame(5);
console.log("| E2EE off ms | E2EE on ms | ratio |");
console.log("|---|---|---|");
console.log(`| ${f(j.off)} | ${f(j.on)} | ${(j.on / j.off).toFixed(2)} |`);
