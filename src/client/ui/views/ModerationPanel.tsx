import type { Meeting, MeetingSnapshot, RemoteParticipant } from "../../sdk/meeting";
import { t } from "../i18n";

/** For moderators: everyone in the meeting with what may be done to them. */
export function ModerationPanel({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const status = snapshot.status;
  if (
    status.status !== "joined" ||
    status.self.role !== "moderator" ||
    snapshot.participants.length === 0
  ) {
    return null;
  }
  return (
    <section class="moderation-panel" aria-labelledby="moderation-heading">
      <h2 id="moderation-heading">{t("meeting.participants")}</h2>
      <ul>
        {snapshot.participants.map((p) => (
          <ParticipantActions key={p.id} meeting={meeting} participant={p} />
        ))}
      </ul>
    </section>
  );
}

function ParticipantActions({
  meeting,
  participant: p,
}: {
  meeting: Meeting;
  participant: RemoteParticipant;
}) {
  const { moderation } = meeting;
  // Each button says whom it affects, for screen readers that list buttons out of context.
  const whom = <span class="visually-hidden"> {p.name}</span>;
  const kick = () => {
    if (window.confirm(t("moderation.kickConfirm", { name: p.name }))) void moderation.kick(p.id);
  };
  return (
    <li data-participant-id={p.id}>
      <span class="name">{p.name}</span>
      {p.role === "moderator" && <span class="badge">{t("meeting.moderator")}</span>}
      {p.media.audio ? (
        <button type="button" onClick={() => moderation.mute(p.id)}>
          {t("moderation.mute")}
          {whom}
        </button>
      ) : (
        <button type="button" onClick={() => moderation.requestUnmute(p.id)}>
          {t("moderation.askUnmute")}
          {whom}
        </button>
      )}
      {p.role === "moderator" ? (
        <button type="button" onClick={() => moderation.setRole(p.id, "participant")}>
          {t("moderation.demote")}
          {whom}
        </button>
      ) : (
        <button type="button" onClick={() => moderation.setRole(p.id, "moderator")}>
          {t("moderation.promote")}
          {whom}
        </button>
      )}
      <button type="button" class="danger" onClick={kick}>
        {t("moderation.kick")}
        {whom}
      </button>
    </li>
  );
}
