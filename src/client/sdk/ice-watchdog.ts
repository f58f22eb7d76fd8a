/** How long a connection may stay `disconnected` before its ICE is restarted. */
export const DISCONNECTED_RESTART_MS = 2_000;
/** A restart that has not brought the connection back by then escalates. */
const RESTART_GIVE_UP_MS = 10_000;

/**
 * Watches one peer connection: `disconnected` for 2 s (a Wi-Fi hiccup, a
 * changed network) or `failed` restarts ICE, rather than waiting for the
 * browser to declare the connection failed after half a minute. If the
 * restart does not bring it back, `escalate` is called (the meeting then
 * reconnects the signalling and negotiates media afresh).
 */
export class IceWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private restarting = false;
  private closed = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly restart: () => Promise<void>,
    private readonly escalate: (reason: string) => void,
  ) {
    pc.addEventListener("connectionstatechange", this.check);
  }

  private readonly check = (): void => {
    if (this.closed) return;
    const state = this.pc.connectionState;
    if (state === "connected") {
      this.clear();
      this.restarting = false;
      return;
    }
    if (this.restarting || this.timer !== undefined) return;
    if (state === "disconnected") this.timer = setTimeout(this.fire, DISCONNECTED_RESTART_MS);
    if (state === "failed") this.fire();
  };

  private readonly fire = (): void => {
    this.timer = undefined;
    const state = this.pc.connectionState;
    if (this.closed || (state !== "disconnected" && state !== "failed")) return;
    this.restarting = true;
    console.info(`ice: ${state}; restarting ICE`);
    this.restart().catch((error: Error) => this.escalate(`ICE restart failed: ${error.message}`));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed && this.pc.connectionState !== "connected")
        this.escalate("ICE restart did not reconnect");
    }, RESTART_GIVE_UP_MS);
  };

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.pc.removeEventListener("connectionstatechange", this.check);
  }
}
