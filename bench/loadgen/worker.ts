/**
 * One load generator process, run by the harness in the client namespace:
 * it holds many headless werift participants, joins and leaves them on
 * command and reports what its receivers counted. Kept out of the server's
 * process so that the server's CPU can be measured alone.
 */
import type { PeerConfig } from "werift";
import { prng } from "../../test/support/prng";
import { createRoom } from "../../test/support/server";
import { createJanusRooms, JanusBenchClient } from "./janus-client";
import type { HarnessMessage, JoinResult, WorkerMessage } from "./messages";
import { clientPeerConfig } from "./peer";
import { type BenchClient, PlenumBenchClient } from "./plenum-client";
import { ReceiveCounter } from "./receive";

type Init = Extract<HarnessMessage, { type: "init" }>;

const JOIN_ATTEMPTS = 3;
let init: Init | undefined;
let config: Partial<PeerConfig> | undefined;
let roomIds: string[] = [];
const clients = new Map<string, BenchClient>();
const counter = new ReceiveCounter();
/** What each client had sent when the window started. */
let sentAtStart = new Map<string, { audio: number; video: number }>();

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function seedOf(name: string, seed: number): number {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x9e3779b1) >>> 0;
  return h;
}

/** Waits until the server answers HTTP (it may still be starting). */
async function serverUp(server: string, baseUrl: string): Promise<void> {
  const url = server === "janus" ? `${baseUrl}/janus/info` : `${baseUrl}/healthz`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function handle(message: HarnessMessage): Promise<void> {
  switch (message.type) {
    case "init":
      init = message;
      config = await clientPeerConfig(message.clientAddress);
      await serverUp(message.server, message.baseUrl);
      send({ type: "ready" });
      return;
    case "create-rooms": {
      if (!init) throw new Error("not initialised");
      const ids: string[] = [];
      if (init.server === "janus")
        ids.push(...(await createJanusRooms(init.baseUrl, message.count)));
      else
        for (let i = 0; i < message.count; i++)
          ids.push((await createRoom(init.baseUrl, { lobby: false })).id);
      send({ type: "rooms", ids });
      return;
    }
    case "rooms":
      roomIds = message.ids;
      return;
    case "join": {
      const { server, baseUrl, media, seed } = init ?? {};
      if (!server || !baseUrl || !media || seed === undefined || !config)
        throw new Error("not initialised");
      const peerConfig = config;
      const results = await Promise.all(
        message.clients.map(async (spec): Promise<JoinResult> => {
          if (spec.startAfterMs) await new Promise((r) => setTimeout(r, spec.startAfterMs));
          const t0 = performance.now();
          let lastError = "";
          // A browser retries when its connection fails; so does the load generator, twice,
          // and the join time then includes the failed attempts.
          for (let attempt = 1; attempt <= JOIN_ATTEMPTS; attempt++) {
            const random = prng(seedOf(spec.name, seed));
            const client: BenchClient =
              server === "janus"
                ? new JanusBenchClient(spec, baseUrl, peerConfig, media, random, counter)
                : new PlenumBenchClient(
                    spec,
                    baseUrl,
                    roomIds[spec.room] ?? "",
                    peerConfig,
                    media,
                    random,
                    counter,
                  );
            clients.set(spec.name, client);
            try {
              const result = await client.join();
              return {
                ...result,
                attempts: attempt,
                ...(result.joinMs !== undefined ? { joinMs: performance.now() - t0 } : {}),
              };
            } catch (error) {
              lastError = (error as Error).message;
              if (process.env.BENCH_DEBUG)
                console.error(`${spec.name} attempt ${attempt}: ${lastError}`);
              clients.delete(spec.name);
              await client.close().catch(() => undefined);
              counter.forget(`${spec.name}/`);
            }
          }
          return { name: spec.name, ok: false, error: lastError, attempts: JOIN_ATTEMPTS };
        }),
      );
      send({ type: "joined", results });
      return;
    }
    case "leave":
      await Promise.allSettled(
        message.names.map(async (name) => {
          const client = clients.get(name);
          clients.delete(name);
          await client?.close();
          // Its streams end here, not in a freeze.
          counter.forget(`${name}/`);
        }),
      );
      send({ type: "left" });
      return;
    case "window-start":
      counter.reset();
      sentAtStart = new Map([...clients].map(([name, c]) => [name, c.sent()]));
      send({ type: "window-started" });
      return;
    case "window-end":
      send({
        type: "window",
        stats: {
          packets: counter.packets,
          bytes: counter.bytes,
          expected: counter.expected,
          sent: Object.fromEntries(
            [...clients].map(([name, c]) => {
              const now = c.sent();
              const start = sentAtStart.get(name) ?? { audio: 0, video: 0 };
              return [name, { audio: now.audio - start.audio, video: now.video - start.video }];
            }),
          ),
          latency: counter.latency,
          byKind: counter.byKind(),
          video: counter.video(),
        },
      });
      return;
    case "close":
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
      clients.clear();
      process.exit(0);
  }
}

// Commands are handled one after another, in the order they came.
let queue: Promise<void> = Promise.resolve();
process.on("message", (message: HarnessMessage) => {
  queue = queue.then(() =>
    handle(message).catch((error: Error) => send({ type: "error", message: error.message })),
  );
});
// The harness gone means this process has nothing left to do.
process.on("disconnect", () => process.exit(0));
