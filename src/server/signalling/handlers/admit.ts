import { admit as admitKnock } from "../../room/moderation";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { moderator, roomForOne } from "./moderation";

/** Lets one waiting person in (SPEC LOBBY-3). */
export const admit: Handler<"admit"> = (session, message) => {
  const { room, actor } = moderator(session, "admit");
  roomForOne(session, room);
  if (!admitKnock(room, actor, message.waiterId)) throw new ProtocolError("unknown-participant");
  return {};
};
