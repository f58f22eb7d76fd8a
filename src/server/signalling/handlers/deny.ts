import { deny as denyKnock } from "../../room/moderation";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { lobbyText } from "./lobby-text";
import { moderator } from "./moderation";

/** Turns one waiting person away, with the reason they are shown if one is given (SPEC LOBBY-3, LOBBY-5). */
export const deny: Handler<"deny"> = (session, message) => {
  const { room, actor } = moderator(session, "admit");
  const reason = lobbyText(message.reason);
  const denial = reason === undefined ? undefined : { reason };
  if (!denyKnock(room, actor, message.waiterId, denial))
    throw new ProtocolError("unknown-participant");
  return {};
};
