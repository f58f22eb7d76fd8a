import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";
import { AudioOnlySuggestion } from "./AudioOnly";
import { ChatPanel } from "./ChatPanel";
import { ClientBuild } from "./ClientBuild";
import { DeviceSettings } from "./DeviceSettings";
import { DeviceProblem } from "./DeviceToggles";
import { EncryptionState } from "./EncryptionState";
import { errorText } from "./errors";
import { LobbyPanel } from "./LobbyPanel";
import { ModerationDialog } from "./ModerationDialog";
import { ModeratorControls } from "./ModeratorControls";
import { Notifications } from "./Notifications";
import { ParticipantList } from "./ParticipantList";
import { type Layout, Stage } from "./Stage";
import { useShortcuts } from "./shortcuts";
import { type Panel, Toolbar } from "./Toolbar";

const PANEL_TITLES = {
  chat: "chat.title",
  people: "people.title",
  settings: "meeting.settings",
  moderation: "moderation.title",
} as const;

/** In the meeting: the stage, the controls, and a side panel (chat, people, devices). */
export function MeetingView({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const [layout, setLayout] = useState<Layout>("grid");
  const [pinned, setPinned] = useState<string | undefined>();
  const [hideSelf, setHideSelf] = useState(false);
  const [panel, setPanel] = useState<Panel>();
  const [readUpTo, setReadUpTo] = useState(0);
  const [actionError, setActionError] = useState<string | undefined>();
  const selfId = snapshot.status.status === "joined" ? snapshot.status.self.id : "";
  const handRaised = snapshot.hands.includes(selfId);
  const chatCount = snapshot.chat.length;
  const unread = panel === "chat" ? 0 : snapshot.chat.slice(readUpTo).filter((m) => !m.own).length;
  useEffect(() => {
    if (panel === "chat") setReadUpTo(chatCount);
  }, [panel, chatCount]);
  useScreenShareFocus(snapshot, setLayout);

  const report = (result: { ok: true } | { ok: false; code: string }) =>
    setActionError(result.ok ? undefined : errorText(result.code));
  const onHand = () => void meeting.actions.setHand(!handRaised).then(report);
  const onShare = () =>
    void (snapshot.local.screen
      ? meeting.actions.stopScreenShare()
      : meeting.actions.startScreenShare().then(report));
  const shortcuts = useMemo(
    () => ({
      m: () => void meeting.setDevice("audio", snapshot.local.audio === undefined),
      v: () => void meeting.setDevice("video", snapshot.local.video === undefined),
      h: onHand,
    }),
    [meeting, snapshot.local.audio, snapshot.local.video, handRaised],
  );
  useShortcuts(shortcuts);
  if (snapshot.status.status !== "joined") return null;

  return (
    <main class={`meeting ${panel ? "with-panel" : ""}`}>
      <h1 class="visually-hidden">{t("meeting.title")}</h1>
      {snapshot.reconnecting && (
        <p class="connection-banner" role="status">
          {t(`connection.${snapshot.reconnecting}`)}
        </p>
      )}
      <RoomState locked={snapshot.status.locked} password={snapshot.settings.password} />
      <EncryptionState
        e2ee={snapshot.e2ee}
        group={snapshot.encryptionGroup}
        onCompared={() => meeting.markSafetyNumberCompared()}
      />
      {snapshot.e2ee.state !== "off" && <ClientBuild />}
      <ModerationDialog meeting={meeting} snapshot={snapshot} />
      <LobbyPanel meeting={meeting} waiting={snapshot.waiting} />
      {snapshot.participants.length === 0 && (
        <p class="invite">
          {t("meeting.alone")} <output>{window.location.href}</output>
        </p>
      )}
      <div class="view-options">
        <fieldset class="segmented">
          <legend class="visually-hidden">{t("meeting.layout")}</legend>
          {(["grid", "speaker"] as const).map((l) => (
            <button key={l} type="button" aria-pressed={layout === l} onClick={() => setLayout(l)}>
              {l === "grid" ? t("meeting.grid") : t("meeting.speakerView")}
            </button>
          ))}
        </fieldset>
        <label class="check">
          <input
            type="checkbox"
            checked={hideSelf}
            onChange={(e) => setHideSelf(e.currentTarget.checked)}
          />
          {t("meeting.hideSelf")}
        </label>
      </div>
      <div class="meeting-body">
        <Stage
          snapshot={snapshot}
          layout={layout}
          pinned={pinned}
          hideSelf={hideSelf}
          watchTile={(id, source, el) => meeting.watchTile(id, source, el)}
          onPin={(key) => {
            setPinned(key);
            if (key) setLayout("speaker");
          }}
        />
        {panel && (
          <aside id="side-panel" class="side-panel" aria-labelledby="side-panel-title">
            <div class="panel-head">
              <h2 id="side-panel-title">{t(PANEL_TITLES[panel])}</h2>
              <button type="button" onClick={() => setPanel(undefined)}>
                {t("meeting.close")}
              </button>
            </div>
            {panel === "chat" && <ChatPanel meeting={meeting} snapshot={snapshot} />}
            {panel === "people" && <ParticipantList meeting={meeting} snapshot={snapshot} />}
            {panel === "moderation" && <ModeratorControls meeting={meeting} snapshot={snapshot} />}
            {panel === "settings" && (
              <>
                <DeviceSettings meeting={meeting} snapshot={snapshot} />
                <p class="shortcuts">{t("meeting.shortcuts")}</p>
              </>
            )}
          </aside>
        )}
      </div>
      {snapshot.local.screen && <p class="sharing-note">{t("meeting.youShare")}</p>}
      <DeviceProblem snapshot={snapshot} />
      <AudioOnlySuggestion meeting={meeting} snapshot={snapshot} />
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      <Toolbar
        meeting={meeting}
        snapshot={snapshot}
        handRaised={handRaised}
        onHand={onHand}
        onShare={onShare}
        panel={panel}
        onPanel={setPanel}
        unread={unread}
      />
      <Notifications meeting={meeting} />
    </main>
  );
}

/** When someone starts sharing a screen, the speaker view shows it large; once per share. */
function useScreenShareFocus(snapshot: MeetingSnapshot, setLayout: (l: Layout) => void): void {
  const sharers = [
    ...snapshot.participants.filter((p) => p.screen).map((p) => p.id),
    ...(snapshot.local.screen ? ["self"] : []),
  ].join(",");
  const previous = useRef("");
  useEffect(() => {
    const before = new Set(previous.current.split(",").filter(Boolean));
    if (sharers.split(",").some((id) => id && !before.has(id))) setLayout("speaker");
    previous.current = sharers;
  }, [sharers, setLayout]);
}

/** Everyone sees how the room is protected right now (SPEC MOD-4, MOD-7). */
function RoomState({ locked, password }: { locked: boolean; password: boolean }) {
  if (!locked && !password) return null;
  return (
    <p class="room-state" role="status">
      {locked && <span class="badge">{t("meeting.locked")}</span>}
      {password && <span class="badge">{t("meeting.passwordProtected")}</span>}
    </p>
  );
}
