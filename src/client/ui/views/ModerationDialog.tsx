import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

/**
 * What a moderator did to this person, shown to them (SPEC MOD-2, MOD-7). An
 * unmute request is a question: only the person can switch their microphone on.
 */
export function ModerationDialog({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const notice = snapshot.moderation;
  if (!notice) return null;
  const by = notice.by || t("moderation.aModerator");
  const unmute = async () => {
    meeting.dismissModeration();
    await meeting.setDevice("audio", true);
  };
  return (
    <div class="moderation-notice" role="alertdialog" aria-labelledby="notice-text">
      <p id="notice-text">{t(`notice.${notice.action}`, { name: by })}</p>
      <div class="controls">
        {notice.action === "unmute-requested" && (
          <button type="button" class="primary" onClick={unmute}>
            {t("notice.unmute")}
          </button>
        )}
        <button type="button" onClick={() => meeting.dismissModeration()}>
          {notice.action === "unmute-requested" ? t("notice.stayMuted") : t("notice.ok")}
        </button>
      </div>
    </div>
  );
}
