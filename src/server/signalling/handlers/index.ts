import type { ClientMessageType, Request, Results } from "../../../protocol/messages";
import type { Session } from "../session";
import { admit } from "./admit";
import { admitAll } from "./admit-all";
import { chat } from "./chat";
import { deny } from "./deny";
import { endMeeting } from "./end-meeting";
import { hand } from "./hand";
import { hello } from "./hello";
import { join } from "./join";
import { kick } from "./kick";
import { leave } from "./leave";
import { lobbyMessage } from "./lobby-message";
import { lock } from "./lock";
import { mediaRestart } from "./media-restart";
import { mediaState } from "./media-state";
import { mlsChat } from "./mls-chat";
import { mlsCommit } from "./mls-commit";
import { mlsKeyPackage } from "./mls-key-package";
import { mlsUpload } from "./mls-upload";
import { mute } from "./mute";
import { muteAll } from "./mute-all";
import { ping } from "./ping";
import { publish } from "./publish";
import { reaction } from "./reaction";
import { requestUnmute } from "./request-unmute";
import { screenShare } from "./screen-share";
import { setPassword } from "./set-password";
import { setRole } from "./set-role";
import { subscriberAnswer } from "./subscriber-answer";
import { subscriberIceRestart } from "./subscriber-ice-restart";
import { updateSettings } from "./update-settings";
import { videoPreferences } from "./video-preferences";

export type Handler<T extends ClientMessageType> = (
  session: Session,
  message: Request<T>,
) => Promise<Results[T]> | Results[T];

/** One handler per message type; the type system makes sure none is missing. */
export const handlers: { [T in ClientMessageType]: Handler<T> } = {
  hello,
  join,
  ping,
  "media-restart": mediaRestart,
  publish,
  "subscriber-answer": subscriberAnswer,
  "subscriber-ice-restart": subscriberIceRestart,
  "video-preferences": videoPreferences,
  "media-state": mediaState,
  leave,
  admit,
  "admit-all": admitAll,
  deny,
  "lobby-message": lobbyMessage,
  lock,
  kick,
  mute,
  "mute-all": muteAll,
  "request-unmute": requestUnmute,
  "set-role": setRole,
  "update-settings": updateSettings,
  "end-meeting": endMeeting,
  "set-password": setPassword,
  chat,
  hand,
  reaction,
  "screen-share": screenShare,
  "mls-key-package": mlsKeyPackage,
  "mls-commit": mlsCommit,
  "mls-upload": mlsUpload,
  "mls-chat": mlsChat,
};
