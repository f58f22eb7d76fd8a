import type { Handler } from "./index";

/**
 * The client's downstream connection stayed `disconnected` (or failed) while
 * signalling is up: the SFU, which offers that connection, offers it again
 * with new ICE credentials. The `subscriber-offer` follows this reply (or the
 * answer to an offer still outstanding); the same peer connection carries on.
 * The upstream needs no message of its own: the client offers it, so it
 * restarts ICE with a new `publish`.
 */
export const subscriberIceRestart: Handler<"subscriber-ice-restart"> = (session) => {
  const { self } = session.joined();
  self.peer.restartDownstreamIce();
  return {};
};
