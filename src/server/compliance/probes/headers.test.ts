import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contentSecurityPolicy, securityHeaders } from "../../http/headers";
import { foreignUrls } from "./browser";
import { foreignCspSources, headerFindings } from "./headers";

const l4 = (headers: Record<string, string>, idp?: string) =>
  headerFindings(new Headers(headers), "http://127.0.0.1:8080", idp).find((f) => f.id === "L4");

describe("CSP and header findings", () => {
  it("finds the shipped policy clean (L4 green) and its headers complete (T4 green)", () => {
    assert.deepEqual(foreignCspSources(contentSecurityPolicy()), {});
    const findings = headerFindings(
      new Headers(securityHeaders()),
      "http://127.0.0.1:8080",
      undefined,
    );
    assert.deepEqual(
      findings.map((f) => [f.id, f.status]),
      [
        ["L4", "green"],
        ["T4", "green"],
      ],
    );
  });

  it("turns L4 red for any other origin, yellow for the configured identity provider only", () => {
    const cdn = securityHeaders(["https://cdn.example.org"]);
    assert.equal(l4(cdn)?.status, "red");
    assert.match(l4(cdn)?.reason ?? "", /connect-src https:\/\/cdn\.example\.org/);
    const idp = securityHeaders(["https://id.example.org"]);
    assert.equal(l4(idp, "https://id.example.org")?.status, "yellow");
    const script = {
      "content-security-policy": "default-src 'self'; script-src 'self' https://x.example",
    };
    assert.equal(l4(script, "https://x.example")?.status, "red", "an IdP never excuses scripts");
    assert.equal(l4({})?.status, "red", "no CSP at all");
  });

  it("wants HSTS of at least 180 days on HTTPS (T1)", () => {
    const t1 = (h: Record<string, string>) =>
      headerFindings(new Headers(h), "https://meet.example.org", undefined).find(
        (f) => f.id === "T1",
      );
    assert.equal(t1(securityHeaders([], true))?.status, "green");
    assert.equal(t1(securityHeaders([], false))?.status, "red");
  });

  it("counts every origin but the deployment's as foreign, WebSockets to it included as own", () => {
    const base = "http://127.0.0.1:8080";
    assert.deepEqual(
      foreignUrls(
        [
          `${base}/assets/app.js`,
          "ws://127.0.0.1:8080/ws",
          "data:image/png;base64,AAAA",
          "inline",
          "http://127.0.0.2:8080/pixel.png",
          "https://fonts.example.com/x.woff2",
        ],
        base,
      ),
      ["http://127.0.0.2:8080/pixel.png", "https://fonts.example.com/x.woff2"],
    );
  });
});
