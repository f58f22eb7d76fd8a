import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { meetsRequiredClaim, RequiredClaim } from "../config/oidc";
import { isAdmin } from "./admins";

const ISSUER = "https://idp.example.org/realms/staff";

describe("administrators and the required claim (SPEC OIDC-1, OIDC-2)", () => {
  it("OIDC-2: a username names a local account only; a provider's account needs issuer#subject", () => {
    const admins = ["root", `${ISSUER}#248289761001`];
    assert.equal(isAdmin(admins, { username: "root", oidc: null }), true);
    // Someone at the provider who chose "root" as their preferred_username gets nothing.
    assert.equal(
      isAdmin(admins, { username: "root", oidc: { issuer: ISSUER, subject: "x" } }),
      false,
    );
    assert.equal(
      isAdmin(admins, { username: "jane", oidc: { issuer: ISSUER, subject: "248289761001" } }),
      true,
    );
    assert.equal(
      isAdmin(admins, {
        username: "jane",
        oidc: { issuer: "https://other.example.org", subject: "248289761001" },
      }),
      false,
      "the same subject at another issuer is someone else",
    );
    assert.equal(
      isAdmin([`${ISSUER}#a#b`], { username: "z", oidc: { issuer: ISSUER, subject: "a#b" } }),
      true,
    );
  });

  it("OIDC-1: the claim must equal the value or, as a list, hold it", () => {
    const required = RequiredClaim.parse("groups=plenum-organisers");
    assert.deepEqual(required, { name: "groups", value: "plenum-organisers" });
    assert.equal(meetsRequiredClaim({ groups: ["staff", "plenum-organisers"] }, required), true);
    assert.equal(meetsRequiredClaim({ groups: "plenum-organisers" }, required), true);
    assert.equal(meetsRequiredClaim({ groups: ["plenum-organisers-old"] }, required), false);
    assert.equal(meetsRequiredClaim({}, required), false);
    assert.equal(meetsRequiredClaim({ groups: { "plenum-organisers": true } }, required), false);
    const flag = RequiredClaim.parse("plenum_organiser=true");
    assert.equal(meetsRequiredClaim({ plenum_organiser: true }, flag), true);
    assert.equal(meetsRequiredClaim({}, undefined), true, "no requirement: everyone");
    assert.equal(RequiredClaim.safeParse("groups").success, false);
    assert.equal(RequiredClaim.safeParse("=x").success, false);
  });
});
