import type { Participant, Role } from "../../../protocol/messages";
import type { MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

interface Row {
  id: string;
  name: string;
  role: Role;
  audio: boolean;
  video: boolean;
  screen: boolean;
  self: boolean;
}

/**
 * Everyone in the meeting with their state, and the raised hands in order.
 * Its own component so that moderation controls can be added per row.
 */
export function ParticipantList({ snapshot }: { snapshot: MeetingSnapshot }) {
  if (snapshot.status.status !== "joined") return null;
  const { self } = snapshot.status;
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
              <span class="badge">
                {r.role === "moderator" ? t("meeting.moderator") : t("people.participant")}
              </span>
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
          </li>
        ))}
      </ul>
    </div>
  );
}

function rowOf(p: Participant): Omit<Row, "self"> {
  return { id: p.id, name: p.name, role: p.role, ...p.media, screen: p.screen };
}

function nameOf(r: Row): string {
  return r.self ? `${r.name} (${t("meeting.you")})` : r.name;
}
