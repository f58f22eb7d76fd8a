import type { Handler } from "./index";

/** Leaves the room; the connection stays open so the person can join again. */
export const leave: Handler<"leave"> = (session) => {
  const { room, self } = session.joined();
  room.leave(self.id);
  session.leftRoom();
  return {};
};
