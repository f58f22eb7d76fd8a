import { muteAll as muteEveryone } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Mutes everyone but the moderators (SPEC MOD-3). */
export const muteAll: Handler<"mute-all"> = (session) => {
  const { room, actor } = moderator(session, "mute-others");
  muteEveryone(room, actor);
  return {};
};
