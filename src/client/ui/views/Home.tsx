import { useState } from "preact/hooks";
import { t } from "../i18n";
import { PrivacyLink } from "./PrivacyLink";

/** The start page: one button that creates a meeting and goes to it. */
export function Home() {
  const [state, setState] = useState<"idle" | "creating" | "failed">("idle");
  const create = async () => {
    setState("creating");
    try {
      const response = await fetch("/api/rooms", { method: "POST" });
      if (response.status !== 201) throw new Error(`status ${response.status}`);
      const room = (await response.json()) as { moderatorUrl: string };
      // The creator holds the moderator link; the page strips its secret from the address bar.
      window.location.assign(room.moderatorUrl);
    } catch {
      setState("failed");
    }
  };
  return (
    <main class="home">
      <h1>Plenum</h1>
      <p>{t("app.tagline")}</p>
      <button type="button" class="primary" onClick={create} disabled={state === "creating"}>
        {state === "creating" ? t("home.creating") : t("home.newMeeting")}
      </button>
      {state === "failed" && (
        <p class="error" role="alert">
          {t("home.createFailed")}
        </p>
      )}
      <a href="/login">{t("home.signIn")}</a>
      <PrivacyLink />
    </main>
  );
}
