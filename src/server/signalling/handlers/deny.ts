import { deny as denyKnock } from "../../room/moderation";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Turns one waiting person away (SPEC LOBBY-3). */
export const deny: Handler<"deny"> = (session, message) => {
  const { room, actor } = moderator(session, "admit");
  if (!denyKnock(room, actor, message.waiterId)) throw new ProtocolError("unknown-participant");
  return {};
};
