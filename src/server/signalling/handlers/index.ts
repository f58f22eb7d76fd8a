import type { ClientMessageType, Request, Results } from "../../../protocol/messages";
import type { Session } from "../session";
import { chat } from "./chat";
import { hand } from "./hand";
import { hello } from "./hello";
import { join } from "./join";
import { leave } from "./leave";
import { mediaState } from "./media-state";
import { publish } from "./publish";
import { reaction } from "./reaction";
import { screenShare } from "./screen-share";
import { subscriberAnswer } from "./subscriber-answer";

export type Handler<T extends ClientMessageType> = (
  session: Session,
  message: Request<T>,
) => Promise<Results[T]> | Results[T];

/** One handler per message type; the type system makes sure none is missing. */
export const handlers: { [T in ClientMessageType]: Handler<T> } = {
  hello,
  join,
  publish,
  "subscriber-answer": subscriberAnswer,
  "media-state": mediaState,
  leave,
  chat,
  hand,
  reaction,
  "screen-share": screenShare,
};
