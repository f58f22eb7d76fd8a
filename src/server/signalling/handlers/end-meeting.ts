import { endMeeting as endForAll } from "../../room/moderation";
import type { Handler } from "./index";
import { moderator } from "./moderation";

/** Ends the meeting for everyone (SPEC MOD-6). The moderator's own session is released too. */
export const endMeeting: Handler<"end-meeting"> = (session) => {
  const { room, actor } = moderator(session, "end-meeting");
  endForAll(room, actor);
  return {};
};
