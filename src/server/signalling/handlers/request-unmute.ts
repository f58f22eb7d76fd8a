import { requestUnmute as askToUnmute } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator, target } from "./moderation";

/** Asks a participant to switch their microphone on; there is no remote unmute (SPEC MOD-2). */
export const requestUnmute: Handler<"request-unmute"> = (session, message) => {
  const { room, actor } = moderator(session, "request-unmute");
  askToUnmute(room, actor, target(room, actor, message.participantId));
  return {};
};
