import type { Finding } from "../criteria";

/** Sources that name no other origin. */
const OWN = new Set(["'self'", "'none'", "data:", "blob:"]);

/** Origins a CSP lets the page reach besides its own, by directive. */
export function foreignCspSources(csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const directive of csp.split(";")) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (!name || name === "frame-ancestors") continue;
    const foreign = sources.filter((s) => !OWN.has(s));
    if (foreign.length > 0) out[name] = foreign;
  }
  return out;
}

const REQUIRED: Record<string, RegExp> = {
  "referrer-policy": /^no-referrer$/,
  "x-content-type-options": /^nosniff$/,
  "x-frame-options": /^DENY$/i,
};

/**
 * The response headers of the start page: a CSP naming only the own origin
 * (L4), the other protective headers (T4), and HSTS on HTTPS (T1).
 * `identityProvider` is the configured IdP's origin, legitimately allowed as a
 * connection or form target; it makes L4 yellow (a recipient to list), not red.
 */
export function headerFindings(
  headers: Headers,
  url: string,
  identityProvider: string | undefined,
): Finding[] {
  const csp = headers.get("content-security-policy");
  const out: Finding[] = [];
  if (!csp) {
    out.push({
      id: "L4",
      status: "red",
      reason: "no Content-Security-Policy header",
      evidence: [],
    });
  } else {
    const foreign = foreignCspSources(csp);
    const all = Object.entries(foreign).flatMap(([d, s]) => s.map((x) => `${d} ${x}`));
    const onlyIdp =
      identityProvider !== undefined &&
      Object.entries(foreign).every(
        ([d, s]) =>
          (d === "connect-src" || d === "form-action") && s.every((x) => x === identityProvider),
      );
    const hasDefault = /(^|;)\s*default-src 'self'\s*(;|$)/.test(csp);
    out.push({
      id: "L4",
      status: !hasDefault ? "red" : all.length === 0 ? "green" : onlyIdp ? "yellow" : "red",
      reason: !hasDefault
        ? "the CSP lacks default-src 'self'"
        : all.length === 0
          ? "the CSP allows only the own origin"
          : onlyIdp
            ? "the CSP also allows the configured identity provider; list it as a recipient"
            : `the CSP allows other origins: ${all.join(", ")}`,
      evidence: [`content-security-policy: ${csp}`],
    });
  }
  const missing = Object.entries(REQUIRED)
    .filter(([name, value]) => !value.test(headers.get(name) ?? ""))
    .map(([name]) => name);
  out.push({
    id: "T4",
    status: missing.length === 0 ? "green" : "red",
    reason:
      missing.length === 0
        ? "protective headers are set"
        : `missing headers: ${missing.join(", ")}`,
    evidence: Object.keys(REQUIRED).map((n) => `${n}: ${headers.get(n) ?? "(none)"}`),
  });
  if (url.startsWith("https:")) {
    const hsts = headers.get("strict-transport-security") ?? "";
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
    out.push({
      id: "T1",
      status: maxAge >= 15_552_000 ? "green" : "red",
      reason: maxAge >= 15_552_000 ? "HSTS is set" : "HSTS missing or shorter than 180 days",
      evidence: [`strict-transport-security: ${hsts || "(none)"}`],
    });
  }
  return out;
}
