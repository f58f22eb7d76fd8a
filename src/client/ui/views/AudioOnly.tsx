import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

/**
 * Offers audio-only when the server finds this person's downlink too weak for
 * video, and says so while audio-only is on. The toolbar button switches it
 * either way.
 */
export function AudioOnlySuggestion({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  if (snapshot.audioOnly) return <p class="audio-only-note">{t("meeting.audioOnlyActive")}</p>;
  if (!snapshot.suggestAudioOnly) return null;
  return (
    <div class="audio-only-suggestion" role="alert">
      <p>{t("meeting.audioOnlySuggest")}</p>
      <button type="button" onClick={() => meeting.setAudioOnly(true)}>
        {t("meeting.audioOnlySwitch")}
      </button>
      <button type="button" onClick={() => meeting.dismissAudioOnlySuggestion()}>
        {t("meeting.audioOnlyKeepVideo")}
      </button>
    </div>
  );
}
