/**
 * `npx tsx bench/harness/summarise.ts bench/results/a.jsonl [--last N]`: the
 * Markdown summary (medians, Plenum/Janus ratios) of stored runs, e.g. for RESULTS.md.
 */
import { readFileSync } from "node:fs";
import { type RunRecord, summarise } from "./results";

const args = process.argv.slice(2);
const lastAt = args.indexOf("--last");
const last = lastAt >= 0 ? Number(args[lastAt + 1]) : Number.POSITIVE_INFINITY;
const files = args.filter((a, i) => !a.startsWith("--") && (lastAt < 0 || i !== lastAt + 1));
if (files.length === 0) {
  console.error("usage: npx tsx bench/harness/summarise.ts <results.jsonl>... [--last N]");
  process.exit(2);
}
for (const file of files) {
  const records = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RunRecord);
  const chosen = records.slice(-Math.min(last, records.length));
  const m = chosen[0]?.machine;
  console.log(
    `## ${file}: ${chosen.length} run(s)${m ? `, ${m.cpu}, ${m.cores} cores, ${m.kernel}, Node ${m.node}, Janus ${m.janus}, commit ${m.commit}, load ${m.loadAverage}` : ""}`,
  );
  console.log(summarise(chosen));
}
