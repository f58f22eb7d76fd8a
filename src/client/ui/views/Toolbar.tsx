import { useState } from "preact/hooks";
import { REACTIONS } from "../../../protocol/messages";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";
import { DeviceToggles } from "./DeviceToggles";
import { reactionName } from "./Notifications";

export type Panel = "chat" | "people" | "settings" | "moderation" | undefined;

interface Props {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
  handRaised: boolean;
  onHand: () => void;
  onShare: () => void;
  panel: Panel;
  onPanel: (panel: Panel) => void;
  unread: number;
}

/** The meeting's controls, in the order people reach for them. */
export function Toolbar(p: Props) {
  const [reacting, setReacting] = useState(false);
  const sharing = p.snapshot.local.screen !== undefined;
  const status = p.snapshot.status;
  const moderating = status.status === "joined" && status.self.role === "moderator";
  const toggle = (panel: Exclude<Panel, undefined>) =>
    p.onPanel(p.panel === panel ? undefined : panel);
  return (
    <nav class="controls toolbar" aria-label={t("meeting.controls")}>
      <DeviceToggles meeting={p.meeting} snapshot={p.snapshot} />
      <button
        type="button"
        class={`toggle ${sharing ? "on" : "off"}`}
        aria-pressed={sharing}
        onClick={p.onShare}
      >
        {sharing ? t("meeting.stopShare") : t("meeting.shareScreen")}
      </button>
      <button
        type="button"
        class={`toggle audio-only ${p.snapshot.audioOnly ? "on" : "off"}`}
        aria-pressed={p.snapshot.audioOnly}
        onClick={() => p.meeting.setAudioOnly(!p.snapshot.audioOnly)}
      >
        {t("meeting.audioOnly")}
      </button>
      <button
        type="button"
        class={`toggle ${p.handRaised ? "on" : "off"}`}
        aria-pressed={p.handRaised}
        aria-keyshortcuts="H"
        onClick={p.onHand}
      >
        {t("meeting.raiseHand")}
      </button>
      <button
        type="button"
        aria-expanded={reacting}
        aria-controls="reactions"
        onClick={() => setReacting(!reacting)}
      >
        {t("meeting.reactions")}
      </button>
      {reacting && (
        <fieldset class="reactions" id="reactions">
          <legend class="visually-hidden">{t("meeting.reactions")}</legend>
          {REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              class="reaction"
              aria-label={t("meeting.react", { reaction: reactionName(emoji) })}
              onClick={() => void p.meeting.actions.react(emoji)}
            >
              {emoji}
            </button>
          ))}
        </fieldset>
      )}
      <button
        type="button"
        aria-expanded={p.panel === "chat"}
        aria-controls="side-panel"
        onClick={() => toggle("chat")}
      >
        {t("chat.open")}
        {p.unread > 0 && (
          <span class="unread">
            <span aria-hidden="true">{p.unread}</span>
            <span class="visually-hidden">{t("chat.unread", { count: String(p.unread) })}</span>
          </span>
        )}
      </button>
      <button
        type="button"
        aria-expanded={p.panel === "people"}
        aria-controls="side-panel"
        onClick={() => toggle("people")}
      >
        {t("people.count", {
          count: String(p.snapshot.participants.length + 1),
        })}
      </button>
      <button
        type="button"
        aria-expanded={p.panel === "settings"}
        aria-controls="side-panel"
        onClick={() => toggle("settings")}
      >
        {t("meeting.settings")}
      </button>
      {moderating && (
        <button
          type="button"
          aria-expanded={p.panel === "moderation"}
          aria-controls="side-panel"
          onClick={() => toggle("moderation")}
        >
          {t("moderation.title")}
        </button>
      )}
      <button type="button" class="danger" onClick={() => void p.meeting.leave()}>
        {t("meeting.leave")}
      </button>
    </nav>
  );
}
