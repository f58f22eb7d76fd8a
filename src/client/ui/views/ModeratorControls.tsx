import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

/** Room-wide controls for moderators: lock, lobby, mute all, end for all. */
export function ModeratorControls({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const status = snapshot.status;
  if (status.status !== "joined" || status.self.role !== "moderator") return null;
  const { moderation } = meeting;
  const end = () => {
    if (window.confirm(t("moderation.endConfirm"))) void moderation.endMeeting();
  };
  return (
    <section class="moderator-controls controls" aria-label={t("moderation.title")}>
      <button
        type="button"
        aria-pressed={status.locked}
        onClick={() => moderation.setLocked(!status.locked)}
      >
        {t("moderation.lock")}
      </button>
      <button
        type="button"
        aria-pressed={status.settings.lobby}
        onClick={() => moderation.updateSettings({ lobby: !status.settings.lobby })}
      >
        {t("moderation.lobby")}
      </button>
      <button type="button" onClick={() => moderation.muteAll()}>
        {t("moderation.muteAll")}
      </button>
      <button type="button" class="danger" onClick={end}>
        {t("moderation.end")}
      </button>
    </section>
  );
}
