/** How long a connection may stay `disconnected` before its ICE is restarted. */
export const DISCONNECTED_RESTART_MS = 2_000;
/**
 * How long an ICE restart may take to bring the connection back before both
 * connections are replaced instead. A restart on a working path takes well
 * under a second; one begun while the path is still down succeeds as soon as
 * it is back within this time (the browser keeps checking).
 */
export const ICE_RESTART_GRACE_MS = 6_000;
/**
 * A connection that has started connecting and is not up by then will not
 * come up by itself. It runs from the first remote description (or the first
 * sign of ICE), not from creation: a person alone in a meeting gets no offer
 * for their receiving connection until someone else publishes, and nothing is
 * wrong with that (SPEC MEDIA-1).
 */
export const CONNECT_DEADLINE_MS = 15_000;

export interface WatchdogHooks {
  /** Restarts ICE on the same connection (new credentials through the signalling). */
  restartIce(): Promise<void>;
  /** The fallback: replace the connections (`media-restart`). */
  replace(reason: string): void;
  /** The connection never came up: the meeting reconnects the signalling too. */
  escalate(reason: string): void;
}

/**
 * - `up`: connected, or new and not yet up (the deadline runs once it has
 *   something to connect);
 * - `waiting`: `disconnected`; ICE is restarted if it stays so for 2 s;
 * - `restarting`: an ICE restart is under way; if the connection is not back
 *   by the grace period, the connections are replaced;
 * - `closed`: handed over to a replacement, or the connection closed.
 */
type State =
  | { name: "up" }
  | { name: "waiting"; timer: ReturnType<typeof setTimeout> }
  | { name: "restarting"; timer: ReturnType<typeof setTimeout> }
  | { name: "closed" };

/**
 * Watches one peer connection. `disconnected` for 2 s (a Wi-Fi hiccup, a
 * changed network) or `failed` restarts its ICE at once, rather than waiting
 * for the browser to give up after half a minute: the same connection, new
 * ICE credentials, new candidate pairs. Should that not bring it back within
 * a few seconds, or fail outright, the connections are replaced (`replace`).
 * A connection that, once it has started connecting, never comes up calls
 * `escalate`; one that waits for its first offer is left alone.
 */
export class MediaWatchdog {
  private state: State = { name: "up" };
  /** Armed once the connection has something to connect (see CONNECT_DEADLINE_MS). */
  private deadline: ReturnType<typeof setTimeout> | "idle" | "done" = "idle";

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly hooks: WatchdogHooks,
  ) {
    pc.addEventListener("connectionstatechange", this.check);
    pc.addEventListener("signalingstatechange", this.armDeadline);
    this.armDeadline();
  }

  /** Starts the connect deadline when the connection has a remote description or ICE began. */
  private readonly armDeadline = (): void => {
    if (this.deadline !== "idle" || this.state.name === "closed") return;
    if (this.pc.remoteDescription === null && this.pc.connectionState === "new") return;
    this.deadline = setTimeout(() => {
      this.deadline = "done";
      if (this.state.name !== "closed" && this.pc.connectionState !== "connected")
        this.hooks.escalate("the media connection did not come up");
    }, CONNECT_DEADLINE_MS);
  };

  private clearDeadline(): void {
    if (this.deadline !== "idle" && this.deadline !== "done") clearTimeout(this.deadline);
    this.deadline = "done";
  }

  private readonly check = (): void => {
    const state = this.pc.connectionState;
    this.armDeadline();
    if (state === "connected") this.clearDeadline();
    switch (this.state.name) {
      case "closed":
        return;
      case "restarting":
        // Checks of the new generation may fail on the way; only the grace period decides.
        if (state === "connected") {
          clearTimeout(this.state.timer);
          this.state = { name: "up" };
          console.info("media: the ICE restart brought the connection back");
        }
        return;
      case "waiting":
        if (state === "failed") this.restartIce(state);
        else if (state !== "disconnected") {
          clearTimeout(this.state.timer);
          this.state = { name: "up" };
        }
        return;
      case "up":
        if (state === "failed") this.restartIce(state);
        else if (state === "disconnected")
          this.state = {
            name: "waiting",
            timer: setTimeout(() => this.restartIce("disconnected"), DISCONNECTED_RESTART_MS),
          };
    }
  };

  private restartIce(why: string): void {
    if (this.state.name === "waiting") clearTimeout(this.state.timer);
    const reason = `media connection ${why}`;
    console.info(`media: ${reason}; restarting ICE`);
    this.state = {
      name: "restarting",
      timer: setTimeout(
        () => this.replace(`${reason}, and an ICE restart did not bring it back`),
        ICE_RESTART_GRACE_MS,
      ),
    };
    this.hooks
      .restartIce()
      .catch((error: Error) => this.replace(`${reason}; the ICE restart failed: ${error.message}`));
  }

  private replace(reason: string): void {
    if (this.state.name !== "restarting") return;
    this.close();
    this.hooks.replace(reason);
  }

  close(): void {
    if (this.state.name === "waiting" || this.state.name === "restarting")
      clearTimeout(this.state.timer);
    this.state = { name: "closed" };
    this.clearDeadline();
    this.pc.removeEventListener("connectionstatechange", this.check);
    this.pc.removeEventListener("signalingstatechange", this.armDeadline);
  }
}
