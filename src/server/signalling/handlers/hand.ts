import type { Handler } from "./index";

/** Raises or lowers the sender's own hand; everyone gets the new order. */
export const hand: Handler<"hand"> = (session, message) => {
  const { room, self } = session.joined();
  room.setHand(self.id, message.raised);
  return {};
};
