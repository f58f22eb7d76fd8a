import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";

/**
 * Calls `record` with the host of every TCP client socket this thread's `net`
 * module opens; returns the disposer. Diagnostics channels are per thread, so
 * each media worker runs its own watcher and reports to the main thread's
 * monitor (src/server/media/workers/worker.ts).
 */
export function watchEgress(record: (host: string) => void): () => void {
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    // A name is recorded as the name (what the operator configured), an
    // address as the address; either way one entry per connection attempt.
    let name: string | undefined;
    socket.once(
      "lookup",
      (_err: Error | null, _address: string, _family: unknown, host: string) => {
        name = host;
        record(host);
      },
    );
    socket.once("connect", () => {
      if (name === undefined && socket.remoteAddress) record(socket.remoteAddress);
    });
  };
  subscribe("net.client.socket", onSocket);
  return () => unsubscribe("net.client.socket", onSocket);
}

/**
 * The server watching its own outgoing connections (COMPLIANCE L1, L3): every
 * TCP client socket Node's `net` module opens — which `fetch`, `http(s)` and
 * the OIDC client all use — is recorded with the host it resolved and the
 * address it reached, in the main thread and (reported by them) in every media
 * worker thread. Media (UDP to the ICE peers the browsers announce) is not a
 * connection the server chooses and is not recorded. Native code that
 * bypasses `net` would be invisible here; the egress test therefore also runs
 * the server under strace.
 */
export class EgressMonitor {
  private readonly seen = new Map<string, number>();
  private readonly stop: () => void;

  constructor() {
    this.stop = watchEgress((host) => this.record(host));
  }

  /** Stops watching (the channel is process-wide; a closed server must not keep listening). */
  close(): void {
    this.stop();
  }

  /** Counts one connection to `host`; also what worker threads' reports arrive through. */
  record(host: string): void {
    this.seen.set(host, (this.seen.get(host) ?? 0) + 1);
  }

  /** Hosts and addresses contacted since start, with how often. */
  hosts(): Record<string, number> {
    return Object.fromEntries(this.seen);
  }
}
