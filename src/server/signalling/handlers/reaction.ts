import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/** A reaction from the fixed set (the schema allows no other), shown briefly to everyone. */
export const reaction: Handler<"reaction"> = (session, message) => {
  const { room, self } = session.joined();
  if (!session.chatBucket.take()) throw new ProtocolError("rate-limited");
  room.react(self.id, message.emoji);
  return {};
};
