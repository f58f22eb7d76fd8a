import { admitAll as admitEveryone } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Lets everyone waiting in (SPEC LOBBY-3). */
export const admitAll: Handler<"admit-all"> = (session) => {
  const { room, actor } = moderator(session, "admit");
  admitEveryone(room, actor);
  return {};
};
