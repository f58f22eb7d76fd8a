import { t } from "../i18n";

/**
 * The privacy notice. A placeholder until the server generates the real one
 * (GDPR Art. 13) from its configuration.
 */
export function Privacy() {
  return (
    <main class="privacy">
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.summary")}</p>
      <p>{t("privacy.placeholder")}</p>
      <a href="/" class="button">
        {t("privacy.back")}
      </a>
    </main>
  );
}
