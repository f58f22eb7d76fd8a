import { t } from "../i18n";

/** Outside the meeting again (left, turned away, removed): say why, offer a way on. */
export function Left({
  title,
  detail,
  onRejoin,
}: {
  title: string;
  /** More about why, e.g. the reason a moderator gave; plain text. */
  detail?: string;
  onRejoin?: () => void;
}) {
  return (
    <main class="left">
      <h1 role="status">{title}</h1>
      {detail && <p class="detail">{detail}</p>}
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
