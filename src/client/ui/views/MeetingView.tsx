import { useMemo } from "preact/hooks";
import type { Meeting, MeetingSnapshot, RemoteParticipant } from "../../sdk/meeting";
import { t } from "../i18n";
import { DeviceProblem, DeviceToggles } from "./DeviceToggles";
import { LobbyPanel } from "./LobbyPanel";
import { ModerationPanel } from "./ModerationPanel";
import { ModeratorControls } from "./ModeratorControls";
import { NoticeDialog } from "./NoticeDialog";
import { VideoView } from "./VideoView";

/** In the meeting: everyone's tiles and the controls. */
export function MeetingView({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const ownVideo = useMemo(
    () => (snapshot.local.video ? new MediaStream([snapshot.local.video]) : undefined),
    [snapshot.local.video],
  );
  if (snapshot.status.status !== "joined") return null;
  const { self } = snapshot.status;
  return (
    <main class="meeting">
      <h1 class="visually-hidden">{t("meeting.title")}</h1>
      <RoomState locked={snapshot.status.locked} password={snapshot.status.settings.password} />
      {snapshot.participants.length === 0 && (
        <p class="invite">
          {t("meeting.alone")} <output>{window.location.href}</output>
        </p>
      )}
      <section
        class="grid"
        aria-label={t("meeting.participants")}
        data-count={snapshot.participants.length + 1}
      >
        <figure class="tile self" data-camera={ownVideo ? "on" : "off"}>
          {ownVideo ? (
            <VideoView stream={ownVideo} muted className="mirror" label={t("meeting.you")} />
          ) : (
            <div class="placeholder" aria-hidden="true">
              {initial(self.name)}
            </div>
          )}
          <Caption
            name={`${self.name} (${t("meeting.you")})`}
            audio={snapshot.local.audio !== undefined}
            video={ownVideo !== undefined}
            moderator={self.role === "moderator"}
          />
        </figure>
        {snapshot.participants.map((p) => (
          <RemoteTile key={p.id} participant={p} />
        ))}
      </section>
      <NoticeDialog meeting={meeting} snapshot={snapshot} />
      <LobbyPanel meeting={meeting} waiting={snapshot.waiting} />
      <DeviceProblem snapshot={snapshot} />
      <nav class="controls" aria-label={t("meeting.title")}>
        <DeviceToggles meeting={meeting} snapshot={snapshot} />
        <button type="button" class="danger" onClick={() => meeting.leave()}>
          {t("meeting.leave")}
        </button>
      </nav>
      <ModeratorControls meeting={meeting} snapshot={snapshot} />
      <ModerationPanel meeting={meeting} snapshot={snapshot} />
    </main>
  );
}

function RemoteTile({ participant: p }: { participant: RemoteParticipant }) {
  return (
    <figure
      class="tile remote"
      data-participant-id={p.id}
      data-camera={p.media.video ? "on" : "off"}
    >
      {/* Always mounted: the same element plays the participant's audio. */}
      <VideoView stream={p.stream} className="remote-video" label={p.name} />
      {!p.media.video && (
        <div class="placeholder" aria-hidden="true">
          {initial(p.name)}
        </div>
      )}
      <Caption name={p.name} audio={p.media.audio} video={p.media.video} />
    </figure>
  );
}

function Caption({
  name,
  audio,
  video,
  moderator,
}: {
  name: string;
  audio: boolean;
  video: boolean;
  moderator?: boolean;
}) {
  return (
    <figcaption>
      <span class="name">{name}</span>
      {moderator && <span class="badge">{t("meeting.moderator")}</span>}
      {!audio && <span class="indicator mic-off">{t("meeting.micOff")}</span>}
      {!video && <span class="indicator camera-off">{t("meeting.cameraOff")}</span>}
    </figcaption>
  );
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? "?";
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
