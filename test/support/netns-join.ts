/**
 * Joins a room over signalling from inside a test network's client namespace
 * (where the test's own process cannot connect from), started by
 * lockout-netns.test.ts: one connection per attempt, in order, each from its
 * own source address. Prints one JSON line: each attempt's outcome (the join's
 * status or the error code) and how long the join request took.
 */
import { RequestError, SignallingClient } from "./signalling-client";

export interface JoinAttempt {
  localAddress: string;
  name: string;
  password: string;
}

export interface JoinOutcome {
  localAddress: string;
  /** "lobby", "joined", or an error code such as "wrong-password". */
  outcome: string;
  ms: number;
}

const { url, roomId, attempts } = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  roomId: string;
  attempts: JoinAttempt[];
};

async function main(): Promise<void> {
  const outcomes: JoinOutcome[] = [];
  for (const { localAddress, name, password } of attempts) {
    const client = await SignallingClient.greeted(url, {}, localAddress);
    const start = performance.now();
    const outcome = await client.request({ type: "join", roomId, name, password }).then(
      (r) => r.status,
      (e: unknown) => (e instanceof RequestError ? e.code : String(e)),
    );
    outcomes.push({ localAddress, outcome, ms: performance.now() - start });
    await client.close();
  }
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
