import { useEffect, useState } from "preact/hooks";
import type { AuditRun, Status } from "../../../protocol/compliance";
import { type MessageKey, t } from "../i18n";
import { en } from "../i18n/en";

const STATUS_KEY: Record<Status, MessageKey> = {
  green: "admin.green",
  yellow: "admin.yellow",
  red: "admin.red",
  grey: "admin.grey",
};

/** The criterion's short title in the page's language; a server newer than the page may know more ids. */
function criterionTitle(id: string): string {
  const key = `criterion.${id}`;
  return key in en ? t(key as MessageKey) : "";
}

type Access = "ok" | "not-signed-in" | "forbidden";

async function call(method: "GET" | "POST"): Promise<{ access: Access; run?: AuditRun }> {
  const response = await fetch("/api/admin/compliance", {
    method,
    // JSON with this site's Origin is what the server's CSRF check asks for.
    ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}),
  });
  if (response.status === 401) return { access: "not-signed-in" };
  if (response.status === 403) return { access: "forbidden" };
  return { access: "ok", run: (await response.json()) as AuditRun };
}

/** `/admin/compliance`: the audit for administrators, with its progress while it runs. */
export function AdminCompliance() {
  const [access, setAccess] = useState<Access>("ok");
  const [run, setRun] = useState<AuditRun>({ state: "idle" });
  const update = (r: { access: Access; run?: AuditRun }) => {
    setAccess(r.access);
    if (r.run) setRun(r.run);
  };
  useEffect(() => {
    call("GET").then(update, () => undefined);
  }, []);
  // Polls while the browser probe runs; the answer names the current step.
  useEffect(() => {
    if (run.state !== "running") return;
    const timer = setInterval(() => call("GET").then(update, () => undefined), 1000);
    return () => clearInterval(timer);
  }, [run.state]);

  if (access !== "ok")
    return (
      <main class="admin">
        <h1>{t("admin.title")}</h1>
        <p role="alert">
          {access === "forbidden" ? t("admin.forbidden") : t("admin.signIn")}{" "}
          {access === "not-signed-in" && <a href="/login">{t("home.signIn")}</a>}
        </p>
      </main>
    );
  return (
    <main class="admin">
      <h1>{t("admin.title")}</h1>
      <p>{t("admin.intro")}</p>
      <button
        type="button"
        class="primary"
        disabled={run.state === "running"}
        onClick={() => call("POST").then(update, () => undefined)}
      >
        {t("admin.run")}
      </button>
      <div role="status" aria-live="polite">
        {run.state === "running" && (
          <p class="admin-progress">
            <span class="spinner" aria-hidden="true" /> {t("admin.running", { step: run.step })}
          </p>
        )}
        {run.state === "failed" && (
          <p class="error">{t("admin.failed", { message: run.message })}</p>
        )}
      </div>
      {run.state === "done" && (
        <>
          <p>
            {t("admin.generated", {
              time: new Date(run.report.generatedAt).toLocaleString(),
              url: run.report.url,
            })}
          </p>
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">{t("admin.id")}</th>
                <th scope="col">{t("admin.status")}</th>
                <th scope="col">{t("admin.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {run.report.findings.map((f) => (
                <tr key={f.id}>
                  <th scope="row">
                    {f.id}
                    <span class="criterion">{criterionTitle(f.id)}</span>
                  </th>
                  <td class={`status-${f.status}`}>{t(STATUS_KEY[f.status])}</td>
                  <td>
                    {/* Reasons and evidence come from the probes, in English. */}
                    <span lang="en">{f.reason}</span>
                    {f.evidence.length > 0 && (
                      <ul lang="en">
                        {f.evidence.map((e) => (
                          <li key={e}>{e}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
