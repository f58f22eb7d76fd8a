import type { Participant, Role } from "../../../protocol/messages";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";
import { ParticipantActions } from "./ParticipantActions";

const ROLE_LABEL = {
  moderator: "meeting.moderator",
  participant: "people.participant",
  guest: "people.guest",
} as const;

interface Row {
  id: string;
  name: string;
  role: Role;
  audio: boolean;
  video: boolean;
  screen: boolean;
  self: boolean;
  participant: Participant;
}

/**
 * Everyone in the meeting with their state, and the raised hands in order.
 * Its own component so that moderation controls can be added per row.
 */
export function ParticipantList({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  if (snapshot.status.status !== "joined") return null;
  const { self } = snapshot.status;
  const moderating = self.role === "moderator";
  const rows: Row[] = [
    {
      ...rowOf(self),
      audio: snapshot.local.audio !== undefined,
      video: snapshot.local.video !== undefined,
      self: true,
    },
    ...snapshot.participants.map((p) => ({ ...rowOf(p), self: false })),
  ];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const hands = snapshot.hands.flatMap((id) => byId.get(id) ?? []);
  return (
    <div class="participant-list">
      <h3 id="hands-heading">{t("people.hands")}</h3>
      {hands.length === 0 ? (
        <p class="muted">{t("people.noHands")}</p>
      ) : (
        <ol class="hands" aria-labelledby="hands-heading">
          {hands.map((r) => (
            <li key={r.id}>{nameOf(r)}</li>
          ))}
        </ol>
      )}
      <h3 id="people-heading">{t("people.count", { count: String(rows.length) })}</h3>
      <ul class="people" aria-labelledby="people-heading">
        {rows.map((r) => (
          <li key={r.id} data-participant-id={r.id}>
            <span class="name">{nameOf(r)}</span>
            <span class="states">
              <span class="badge">{t(ROLE_LABEL[r.role])}</span>
              {snapshot.hands.includes(r.id) && (
                <span class="indicator hand">{t("meeting.handRaised")}</span>
              )}
              {r.screen && <span class="indicator">{t("meeting.shareScreen")}</span>}
              <span class={`indicator ${r.audio ? "on" : "mic-off"}`}>
                {r.audio ? t("device.microphone") : t("meeting.micOff")}
              </span>
              <span class={`indicator ${r.video ? "on" : "camera-off"}`}>
                {r.video ? t("device.camera") : t("meeting.cameraOff")}
              </span>
            </span>
            {moderating && !r.self && (
              <ParticipantActions meeting={meeting} participant={r.participant} />
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function rowOf(p: Participant): Omit<Row, "self"> {
  return { id: p.id, name: p.name, role: p.role, ...p.media, screen: p.screen, participant: p };
}

function nameOf(r: Row): string {
  return r.self ? `${r.name} (${t("meeting.you")})` : r.name;
}
