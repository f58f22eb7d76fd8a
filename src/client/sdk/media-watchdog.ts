/** How long a connection may stay `disconnected` before its media is restarted. */
export const DISCONNECTED_RESTART_MS = 2_000;
/** A new connection that is not up by then will not come up by itself. */
const CONNECT_DEADLINE_MS = 15_000;

/**
 * Watches one peer connection. `disconnected` for 2 s (a Wi-Fi hiccup, a
 * changed network) or `failed` calls `restart` at once, rather than waiting
 * for the browser to give up after half a minute; a connection that never
 * comes up calls `escalate` (the meeting then reconnects the signalling too).
 */
export class MediaWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly deadline: ReturnType<typeof setTimeout>;
  private closed = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly restart: (reason: string) => void,
    escalate: (reason: string) => void,
  ) {
    pc.addEventListener("connectionstatechange", this.check);
    this.deadline = setTimeout(() => {
      if (!this.closed && pc.connectionState !== "connected")
        escalate("the media connection did not come up");
    }, CONNECT_DEADLINE_MS);
  }

  private readonly check = (): void => {
    if (this.closed) return;
    const state = this.pc.connectionState;
    if (state === "connected") clearTimeout(this.deadline);
    if (state !== "disconnected" && state !== "failed") {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (state === "failed") this.fire();
    else this.timer ??= setTimeout(this.fire, DISCONNECTED_RESTART_MS);
  };

  private readonly fire = (): void => {
    this.timer = undefined;
    const state = this.pc.connectionState;
    if (this.closed || (state !== "disconnected" && state !== "failed")) return;
    this.close();
    this.restart(`media connection ${state}`);
  };

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.pc.removeEventListener("connectionstatechange", this.check);
  }
}
