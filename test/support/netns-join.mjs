/**
 * Joins a room over signalling from inside a test network's client namespace
 * (where the test's own process cannot connect from), started by
 * lockout-netns.test.ts: one connection per attempt, in order, each from its
 * own source address; with `hold`, connected at once but joining only when
 * the test writes a line to its stdin. Prints one JSON line: each attempt's outcome (the join's
 * status or the error code) and how long the join request took.
 *
 * Plain JavaScript with only `ws`: on a loaded machine, starting tsx and the
 * protocol's schemas takes seconds, this takes a fraction of one.
 */
import WebSocket from "ws";

/** @type {{ url: string, roomId: string, protocolVersion: number, hold?: boolean, attempts: { localAddress: string, name: string, password: string }[] }} */
const { url, roomId, protocolVersion, hold, attempts } = JSON.parse(process.argv[2] ?? "{}");

/**
 * Opens a connection from `localAddress`; `ask` sends a request and resolves
 * with its outcome: the result's `status` for `ok`, the `code` for `error`.
 * @param {string} localAddress
 */
function connect(localAddress) {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { localAddress });
  /** @type {Map<number, (outcome: string) => void>} */
  const pending = new Map();
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === "ok") pending.get(m.id)?.(String(m.result?.status ?? "ok"));
    else if (m.type === "error") pending.get(m.id)?.(m.code);
  });
  ws.on("close", (code) => {
    for (const settle of pending.values()) settle(`closed ${code}`);
  });
  let nextId = 1;
  /** @param {object} message */
  const ask = (message) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ ...message, id }));
    });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ask, close: () => ws.close() }));
    ws.once("error", reject);
  });
}

/** @param {string} localAddress */
async function greeted(localAddress) {
  const connection = await connect(localAddress);
  const hello = await connection.ask({ type: "hello", protocolVersion });
  if (hello !== "ok") throw new Error(`hello refused: ${hello}`);
  return connection;
}

// Connected all at once (that part is not what is measured), then the joins one after another.
const connections = await Promise.all(attempts.map((a) => greeted(a.localAddress)));
// Held: started beside another joiner, this one waits for the test's word (a line on stdin).
if (hold) await new Promise((go) => process.stdin.once("data", go));
process.stdin.destroy();
const outcomes = [];
for (const [i, { localAddress, name, password }] of attempts.entries()) {
  const { ask, close } = /** @type {Awaited<ReturnType<typeof greeted>>} */ (connections[i]);
  const start = performance.now();
  const outcome = await ask({ type: "join", roomId, name, password });
  outcomes.push({ localAddress, outcome, ms: performance.now() - start });
  close();
}
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
