import type { Handler } from "./index";

/**
 * The client's downstream connection lost its path (it stayed `disconnected`
 * for 2 s): the server offers it again with new ICE credentials. The offer
 * comes as a `subscriber-offer`; the upstream, which the client offers, it
 * restarts itself with `publish`.
 */
export const iceRestart: Handler<"ice-restart"> = (session) => {
  session.joined().self.peer.restartIce();
  return {};
};
