import { messageLobby } from "../../room/moderation";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { lobbyText } from "./lobby-text";
import { moderator } from "./moderation";

/**
 * A moderator's short message to everyone waiting in the lobby (SPEC
 * LOBBY-4). It reaches those waiting now; it is not stored, and a later
 * knock does not see it. Counted as a moderation action: it fans out.
 */
export const lobbyMessage: Handler<"lobby-message"> = (session, message) => {
  const text = lobbyText(message.text);
  if (text === undefined) throw new ProtocolError("lobby-text-empty");
  const { room, actor } = moderator(session, "message-lobby");
  return { reached: messageLobby(room, actor, text) };
};
