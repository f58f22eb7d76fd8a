import { t } from "../i18n";

/** After leaving: offer to rejoin. */
export function Left({ onRejoin }: { onRejoin: () => void }) {
  return (
    <main class="left">
      <h1>{t("left.title")}</h1>
      <div class="controls">
        <button type="button" class="primary" onClick={onRejoin}>
          {t("left.rejoin")}
        </button>
        <a href="/" class="button">
          {t("left.home")}
        </a>
      </div>
    </main>
  );
}
