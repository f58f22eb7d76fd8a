import { t } from "../i18n";

/** Outside the meeting again (left, turned away, removed): say why, offer a way on. */
export function Left({ title, onRejoin }: { title: string; onRejoin?: () => void }) {
  return (
    <main class="left">
      <h1 role="status">{title}</h1>
      <div class="controls">
        {onRejoin && (
          <button type="button" class="primary" onClick={onRejoin}>
            {t("left.rejoin")}
          </button>
        )}
        <a href="/" class="button">
          {t("left.home")}
        </a>
      </div>
    </main>
  );
}
