import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";

/**
 * The SHA-256 of the client files the server serves (docs/E2EE.md, "The code
 * you run"), so that someone can compare it with the released build's. It is
 * what the server reports: a server that serves modified code can report
 * anything, which is why `plenum audit` and an authority's comparison matter.
 */
export function ClientBuild() {
  const [sha256, setSha256] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    fetch("/api/client-build")
      .then((r) => (r.ok ? (r.json() as Promise<{ sha256: string }>) : undefined))
      .then((build) => {
        if (live && build) setSha256(build.sha256);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!sha256) return null;
  return (
    <details class="client-build">
      <summary>{t("e2ee.build.summary")}</summary>
      <p>{t("e2ee.build.help")}</p>
      <code class="client-build-sha256">{sha256}</code>
    </details>
  );
}
