import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../config/config";
import { complianceFacts } from "../facts";
import { settingsFindings } from "./settings";

const statusOf = (
  env: Record<string, string>,
  id: string,
  tweak = (_: ReturnType<typeof complianceFacts>) => {},
) => {
  const facts = complianceFacts(loadConfig(env), "http://127.0.0.1:8080", {});
  tweak(facts);
  return settingsFindings(facts).filter((f) => f.id === id);
};

describe("settings findings", () => {
  it("makes T4 red when the lobby is off by default (PLENUM_DEFAULT_LOBBY=false)", () => {
    assert.equal(statusOf({}, "T4")[0]?.status, "green");
    const off = statusOf({ PLENUM_DEFAULT_LOBBY: "false" }, "T4")[0];
    assert.equal(off?.status, "red");
    assert.match(off?.reason ?? "", /PLENUM_DEFAULT_LOBBY=false/);
  });

  it("T4, LIMIT-2: reports who may create rooms; anyone on a reachable server is yellow", () => {
    const creation = (env: Record<string, string>, url: string) =>
      settingsFindings(complianceFacts(loadConfig(env), url, {})).find((f) =>
        f.evidence.some((e) => e.startsWith("PLENUM_ROOM_CREATION=")),
      );
    const open = creation({}, "https://meet.example.org");
    assert.equal(open?.id, "T4");
    assert.equal(open?.status, "yellow");
    assert.match(open?.reason ?? "", /PLENUM_ROOM_CREATION=organisers/);
    const closed = creation({ PLENUM_ROOM_CREATION: "organisers" }, "https://meet.example.org");
    assert.equal(closed?.status, "green");
    assert.match(closed?.reason ?? "", /only signed-in organisers/);
    assert.equal(creation({}, "http://127.0.0.1:8080")?.status, "green", "a local instance");
    assert.equal(creation({}, "http://[::1]:8080")?.status, "green");
  });

  it("reports E2EE honestly: green when built and on by default, yellow otherwise", () => {
    const today = statusOf({}, "T2")[0];
    assert.equal(today?.status, "green");
    assert.match(today?.reason ?? "", /end-to-end encryption is on by default/);
    const off = statusOf({}, "T2", (f) => {
      f.defaults.e2ee.byDefault = false;
    })[0];
    assert.equal(off?.status, "yellow");
    const missing = statusOf({}, "T2", (f) => {
      f.defaults.e2ee.implemented = false;
    })[0];
    assert.match(missing?.reason ?? "", /not implemented yet/);
  });

  it("names each missing operator setting", () => {
    assert.match(statusOf({}, "L5")[0]?.reason ?? "", /PLENUM_LEGAL_BASIS, PLENUM_PURPOSES/);
    assert.equal(
      statusOf({ PLENUM_LEGAL_BASIS: "Art. 6(1)(e) GDPR", PLENUM_PURPOSES: "Meetings" }, "L5")[0]
        ?.status,
      "green",
    );
  });

  it("lists the identity provider as a recipient needing an agreement (L2 yellow)", () => {
    const oidc = {
      PLENUM_OIDC_ISSUER: "https://id.example.org/realm",
      PLENUM_OIDC_CLIENT_ID: "plenum",
      PLENUM_OIDC_CLIENT_SECRET: "s",
    };
    assert.equal(statusOf({}, "L2")[0]?.status, "green");
    assert.equal(statusOf(oidc, "L2")[0]?.status, "yellow");
  });
});
