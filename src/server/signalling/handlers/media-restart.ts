import type { Handler } from "./index";

/**
 * The client's media path was lost while signalling stayed up (a peer
 * connection stayed `disconnected` for 2 s): the room gives the participant a
 * new media peer, and the client negotiates both connections afresh — the
 * downstream offer comes as a `subscriber-offer`, the upstream with `publish`.
 *
 * Why not an ICE restart on the same connections: werift 0.24.4 as an ICE-lite
 * agent answers the browser's restarted checks on neither side in our tests
 * (the browser reports `connected`, no media flows), so new connections are
 * the reliable way back.
 */
export const mediaRestart: Handler<"media-restart"> = (session) => {
  const { room, self } = session.joined();
  room.renewMedia(self.id);
  return {};
};
