import type { Handler } from "./index";

/**
 * How the client shows others' video; the media layer picks each tile's
 * simulcast layer from it. Ids of people not (or no longer) present are
 * harmless: no forward matches them.
 */
export const videoPreferences: Handler<"video-preferences"> = (session, message) => {
  const { self } = session.joined();
  self.peer.setVideoPreferences(
    message.tiles.map((t) => ({
      sourceLabel: t.participantId,
      source: t.source,
      width: t.width,
      height: t.height,
      hidden: t.hidden,
    })),
  );
  return {};
};
