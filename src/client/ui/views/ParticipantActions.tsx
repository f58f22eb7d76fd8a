import type { Participant } from "../../../protocol/messages";
import type { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";

/** What a moderator may do to one participant; shown in their row of the participant list. */
export function ParticipantActions({
  meeting,
  participant: p,
}: {
  meeting: Meeting;
  participant: Participant;
}) {
  const { moderation } = meeting;
  // Each button says whom it affects, for screen readers that list buttons out of context.
  const whom = <span class="visually-hidden"> {p.name}</span>;
  const kick = () => {
    if (window.confirm(t("moderation.kickConfirm", { name: p.name }))) void moderation.kick(p.id);
  };
  return (
    <span class="moderation-actions">
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
    </span>
  );
}
