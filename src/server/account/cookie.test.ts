import assert from "node:assert/strict";
import { it } from "node:test";
import { needsSecureCookies, sessionCookie } from "./cookie";

it("marks the session cookie Secure everywhere but plain http on loopback", () => {
  assert.equal(needsSecureCookies("http://127.0.0.1:8080"), false);
  assert.equal(needsSecureCookies("http://localhost:8080"), false);
  assert.equal(needsSecureCookies("http://[::1]:8080"), false);
  assert.equal(needsSecureCookies("https://meet.example.org"), true);
  assert.equal(needsSecureCookies("http://meet.example.org"), true);
  assert.equal(
    sessionCookie("t", 60, true),
    "plenum_session=t; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure",
  );
});
