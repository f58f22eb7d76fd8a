import { updateSettings as changeSettings } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Changes the live meeting's lobby or chat setting (SPEC MOD-4). */
export const updateSettings: Handler<"update-settings"> = (session, message) => {
  const { room, actor } = moderator(session, "change-settings");
  changeSettings(room, actor, message.settings);
  return {};
};
