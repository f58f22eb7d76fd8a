import type { Handler } from "./index";

/**
 * The client's media path was lost while signalling stayed up, and an ICE
 * restart of the same connections (`publish` again, `subscriber-ice-restart`)
 * did not bring it back within seconds: the room gives the participant a new
 * media peer, and the client negotiates both connections afresh — the
 * downstream offer comes as a `subscriber-offer`, the upstream with `publish`.
 */
export const mediaRestart: Handler<"media-restart"> = (session) => {
  const { room, self } = session.joined();
  room.renewMedia(self.id);
  return {};
};
