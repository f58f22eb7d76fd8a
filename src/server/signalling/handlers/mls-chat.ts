import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/**
 * An encrypted chat message (an MLS application message): relayed to the
 * group's members as it came, never stored, never logged, never readable here.
 */
export const mlsChat: Handler<"mls-chat"> = (session, message) => {
  const { ds, selfId } = delivery(session);
  const { room } = session.joined();
  if (!room.settings.chat) throw new ProtocolError("chat-disabled");
  if (!ds.isMember(selfId)) throw new ProtocolError("forbidden");
  if (!session.chatBucket.take()) throw new ProtocolError("rate-limited");
  room.encryptedChat(selfId, message.message);
  return {};
};
