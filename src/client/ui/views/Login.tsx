import { useEffect, useState } from "preact/hooks";
import { organiser } from "../../sdk/organiser";
import { t } from "../i18n";
import { apiErrorText } from "./apiErrors";

/** Sign-in for organisers: username and password, and the organisation's provider when there is one. */
export function Login() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState(false);
  // A failed provider login comes back as /login?error=…
  const [error, setError] = useState<string | undefined>(() => {
    const code = new URLSearchParams(window.location.search).get("error");
    return code ? apiErrorText(code) : undefined;
  });

  useEffect(() => {
    organiser.me().then(
      (me) => me && window.location.assign("/my"),
      () => {},
    );
    organiser.options().then(
      (o) => setOidc(o.oidc),
      () => {},
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await organiser.login(username, password);
      window.location.assign("/my");
    } catch (failure) {
      setPassword("");
      setError(apiErrorText(failure));
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <h1>{t("login.title")}</h1>
      <form onSubmit={submit}>
        <label for="login-username">{t("login.username")}</label>
        <input
          id="login-username"
          value={username}
          required
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="login-password">{t("login.password")}</label>
        <input
          id="login-password"
          type="password"
          value={password}
          required
          autocomplete="current-password"
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
      {oidc && (
        <>
          <p>{t("login.or")}</p>
          <a class="button" href={organiser.oidcStartUrl}>
            {t("login.oidc")}
          </a>
        </>
      )}
    </main>
  );
}
