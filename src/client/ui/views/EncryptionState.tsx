import type { E2eeStatus } from "../../sdk/e2ee/controller";
import type { EncryptionGroupView } from "../../sdk/e2ee/group-view";
import { t } from "../i18n";
import { EncryptionWarnings } from "./EncryptionWarnings";

/**
 * Everyone sees whether the meeting is end-to-end encrypted, and if so the
 * safety number to compare aloud and when it last changed, who is in the
 * encryption group (with a fingerprint per member), and any warning
 * (docs/E2EE.md).
 */
export function EncryptionState({
  e2ee,
  group,
  onCompared,
}: {
  e2ee: E2eeStatus;
  group?: EncryptionGroupView | undefined;
  onCompared: () => void;
}) {
  return (
    <>
      {group && <EncryptionWarnings group={group} />}
      <State e2ee={e2ee} />
      {e2ee.state === "on" && group && (
        <GroupDetails e2ee={e2ee} group={group} onCompared={onCompared} />
      )}
    </>
  );
}

function State({ e2ee }: { e2ee: E2eeStatus }) {
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
      <span class="since">{t("e2ee.since", { time })}</span>{" "}
      {e2ee.compared && <span class="badge compared">{t("e2ee.compared")}</span>}
    </p>
  );
}

function GroupDetails({
  e2ee,
  group,
  onCompared,
}: {
  e2ee: Extract<E2eeStatus, { state: "on" }>;
  group: EncryptionGroupView;
  onCompared: () => void;
}) {
  return (
    <details class="e2ee-details">
      <summary>{t("e2ee.details", { count: String(group.members.length) })}</summary>
      <p>{t("e2ee.detailsHelp")}</p>
      <ul class="e2ee-members" aria-label={t("e2ee.members")}>
        {group.members.map((m) => (
          <li key={m.participantId}>
            <span class="name">
              {m.name || "?"}
              {m.self ? ` ${t("e2ee.you")}` : ""}
            </span>{" "}
            <code class="fingerprint" title={t("e2ee.fingerprint")}>
              {m.fingerprint}
            </code>
          </li>
        ))}
      </ul>
      {!e2ee.compared && (
        <button type="button" onClick={onCompared}>
          {t("e2ee.markCompared")}
        </button>
      )}
    </details>
  );
}
