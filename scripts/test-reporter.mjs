/**
 * node's TAP report, followed by what a person reading a long CI log needs
 * at its end: each failed test with its file, and the slowest files with
 * their times (node's TAP names tests, never files). Plain JavaScript: node
 * loads reporters before any loader hook, so tsx cannot help here.
 */
import { tap } from "node:test/reporters";

const SLOWEST = 15;

/** @param {AsyncIterable<{ type: string, data: { name: string, nesting: number, file?: string, details?: { duration_ms?: number, error?: unknown } } }>} source */
export default async function* report(source) {
  /** @type {Map<string, number>} */
  const seconds = new Map();
  /** @type {string[]} */
  const failed = [];
  async function* observe() {
    for await (const event of source) {
      const { data } = event;
      if ((event.type === "test:pass" || event.type === "test:fail") && data.file) {
        if (data.nesting === 0) {
          const took = (data.details?.duration_ms ?? 0) / 1000;
          seconds.set(data.file, (seconds.get(data.file) ?? 0) + took);
        }
        if (event.type === "test:fail")
          failed.push(`${relative(data.file)}: ${data.name}: ${why(data.details?.error)}`);
      }
      yield event;
    }
  }
  yield* tap(observe());
  const slow = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, SLOWEST);
  const lines = slow.map(([file, s]) => `#   ${s.toFixed(1).padStart(6)} s  ${relative(file)}`);
  yield `# slowest files:\n${lines.join("\n")}\n`;
  if (failed.length > 0) yield `# failed:\n${failed.map((f) => `#   ${f}`).join("\n")}\n`;
}

/** @param {string} file */
function relative(file) {
  const at = file.search(/\/(src|test)\//);
  return at < 0 ? file : file.slice(at + 1);
}

/** The first lines of why a test failed (node wraps the test's own error as `cause`). */
function why(error) {
  const cause = /** @type {{ cause?: unknown }} */ (error)?.cause ?? error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split("\n").slice(0, 3).join(" ").slice(0, 400);
}
