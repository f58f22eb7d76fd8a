import { useEffect, useState } from "preact/hooks";
import type { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";

/** Ten times a second is smooth enough for a meter and cheap for the page. */
const INTERVAL_MS = 100;

/** The own microphone's level while it is on, as a <meter> screen readers can read. */
export function LevelMeter({ meeting }: { meeting: Meeting }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setLevel(meeting.levelOf()), INTERVAL_MS);
    return () => clearInterval(timer);
  }, [meeting]);
  // Speech sits around 0.05..0.3 RMS; stretch it so the bar moves visibly.
  const shown = Math.min(1, Math.sqrt(level) * 1.6);
  return (
    <div class="level">
      <label for="mic-level">{t("prejoin.level")}</label>
      <meter id="mic-level" min={0} max={1} low={0.6} high={0.9} optimum={0.3} value={shown} />
    </div>
  );
}
