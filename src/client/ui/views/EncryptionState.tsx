import type { E2eeStatus } from "../../sdk/e2ee/controller";
import { t } from "../i18n";

/**
 * Everyone sees whether the meeting is end-to-end encrypted, and if so the
 * safety number to compare aloud and when it last changed (docs/E2EE.md).
 */
export function EncryptionState({ e2ee }: { e2ee: E2eeStatus }) {
  if (e2ee.state === "off")
    return (
      <p class="e2ee-state off" role="status">
        {t("e2ee.off")}
      </p>
    );
  if (e2ee.state === "joining")
    return (
      <p class="e2ee-state joining" role="status">
        {t("e2ee.joining")}
      </p>
    );
  if (e2ee.state === "failed")
    return (
      <p class="e2ee-state failed" role="alert">
        {t("e2ee.failed")}
      </p>
    );
  const time = new Date(e2ee.since).toLocaleTimeString();
  return (
    <p class="e2ee-state on" role="status" title={t("e2ee.safetyHelp")}>
      <span class="badge">{t("e2ee.on")}</span>{" "}
      {e2ee.postQuantum && <span class="badge">{t("e2ee.postQuantum")}</span>}{" "}
      {t("e2ee.safetyNumber")}:{" "}
      <output class="safety-number" data-epoch={e2ee.epoch}>
        {e2ee.safetyNumber}
      </output>{" "}
      <span class="since">{t("e2ee.since", { time })}</span>
    </p>
  );
}
