import type { Handler } from "./index";

/** The participant switched their microphone or camera; everyone else is told. */
export const mediaState: Handler<"media-state"> = (session, message) => {
  const { room, self } = session.joined();
  room.setMedia(self.id, message.media);
  return {};
};
