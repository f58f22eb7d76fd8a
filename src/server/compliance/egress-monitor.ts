import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";

/**
 * The server watching its own outgoing connections (COMPLIANCE L1, L3): every
 * TCP client socket Node's `net` module opens — which `fetch`, `http(s)` and
 * the OIDC client all use — is recorded with the host it resolved and the
 * address it reached. Media (UDP to the ICE peers the browsers announce) is
 * not a connection the server chooses and is not recorded. Native code that
 * bypasses `net` would be invisible here; the egress test therefore also runs
 * the server under strace.
 */
export class EgressMonitor {
  private readonly seen = new Map<string, number>();

  private readonly onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    // A name is recorded as the name (what the operator configured), an
    // address as the address; either way one entry per connection attempt.
    let name: string | undefined;
    socket.once(
      "lookup",
      (_err: Error | null, _address: string, _family: unknown, host: string) => {
        name = host;
        this.record(host);
      },
    );
    socket.once("connect", () => {
      if (name === undefined && socket.remoteAddress) this.record(socket.remoteAddress);
    });
  };

  constructor() {
    subscribe("net.client.socket", this.onSocket);
  }

  /** Stops watching (the channel is process-wide; a closed server must not keep listening). */
  close(): void {
    unsubscribe("net.client.socket", this.onSocket);
  }

  private record(host: string): void {
    this.seen.set(host, (this.seen.get(host) ?? 0) + 1);
  }

  /** Hosts and addresses contacted since start, with how often. */
  hosts(): Record<string, number> {
    return Object.fromEntries(this.seen);
  }
}
