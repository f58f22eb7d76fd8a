import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/**
 * Starts or stops the sender's screen share. The room decides: with one share
 * at a time, a second person is refused and their screen is never forwarded.
 */
export const screenShare: Handler<"screen-share"> = (session, message) => {
  const { room, self } = session.joined();
  if (!room.setScreenShare(self.id, message.on)) throw new ProtocolError("screen-share-busy");
  return {};
};
