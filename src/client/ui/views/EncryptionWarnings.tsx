import type { EncryptionGroupView, NamedAlert } from "../../sdk/e2ee/group-view";
import { t } from "../i18n";

/**
 * What an active server tried, and what does not add up between the
 * encryption group and the participant list: prominent, on every client,
 * read out at once (docs/E2EE.md, "Against an active server").
 */
export function EncryptionWarnings({ group }: { group: EncryptionGroupView }) {
  const lines = [
    ...group.unseen.map(() => t("e2ee.warn.unseen")),
    ...group.missing.map((m) => t("e2ee.warn.missing", { name: m.name || "?" })),
    ...group.alerts.map(alertText),
  ];
  if (lines.length === 0) return null;
  return (
    <div class="e2ee-alert" role="alert">
      <strong>{t("e2ee.warn.title")}</strong>
      <ul>
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

function alertText(alert: NamedAlert): string {
  const name = alert.name || "?";
  switch (alert.what) {
    case "key-package":
      return t("e2ee.warn.keyPackage", { name });
    case "commit":
    case "remove":
      return alert.reason === "present"
        ? t("e2ee.warn.removePresent", { name })
        : t("e2ee.warn.commit");
    case "create":
    case "welcome":
      return t("e2ee.warn.secondGroup");
    case "downgrade":
      return t("e2ee.warn.downgrade");
    case "chat-sender":
      return t("e2ee.warn.chatSender", { name, sender: alert.senderName || "?" });
    case "plain-chat":
      return t("e2ee.warn.plainChat");
  }
}
