import { MAX_CHAT_LENGTH } from "../../../protocol/messages";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/**
 * A chat message, relayed to everyone in the room and forgotten. It is never
 * stored and never logged: no log line in this path mentions the text.
 */
export const chat: Handler<"chat"> = (session, message) => {
  const { room, self } = session.joined();
  if (!room.settings.chat) throw new ProtocolError("chat-disabled");
  // Plain text would pass the server readable: in an encrypted meeting only `mls-chat` may carry chat.
  if (room.settings.e2ee) throw new ProtocolError("chat-encrypted-only");
  const text = message.text.trim();
  if (text.length === 0) throw new ProtocolError("chat-empty");
  // Counted in code points, as people count characters (an emoji is one).
  if ([...text].length > MAX_CHAT_LENGTH) throw new ProtocolError("chat-too-long");
  if (!session.chatBucket.take()) throw new ProtocolError("rate-limited");
  room.chat(self.id, text);
  return {};
};
