import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../config/config";
import { toHtml, toMarkdown } from "./document";
import { privacyNotice } from "./privacy";
import { recordOfProcessing, toms } from "./records";

const OIDC = {
  PLENUM_OIDC_ISSUER: "https://id.example.org/realms/staff",
  PLENUM_OIDC_CLIENT_ID: "plenum",
  PLENUM_OIDC_CLIENT_SECRET: "s3cret",
};

describe("generated documents", () => {
  it("builds the Art. 13 notice from the configuration, in German and English", () => {
    const config = loadConfig({
      PLENUM_CONTROLLER_NAME: "Bezirksamt <Musterstadt>",
      PLENUM_ROOM_RETENTION_DAYS: "14",
    });
    const en = toMarkdown(privacyNotice(config, "en"));
    assert.match(en, /Bezirksamt <Musterstadt>/);
    assert.match(en, /Unused ad-hoc rooms: 14 days/);
    assert.match(en, /\[not stated: PLENUM_DPO_CONTACT\]/);
    assert.match(en, /No other recipients/);
    const de = toHtml(privacyNotice(config, "de"));
    assert.match(de, /<html lang="de">/);
    assert.match(de, /Bezirksamt &#60;Musterstadt&#62;/, "operator text is escaped");
    assert.match(de, /Art\. 77 DSGVO/);
  });

  it("lists the configured identity provider as a recipient, everywhere", () => {
    const config = loadConfig(OIDC);
    assert.match(
      toMarkdown(privacyNotice(config, "en")),
      /Identity provider .*https:\/\/id\.example\.org/,
    );
    assert.match(toMarkdown(recordOfProcessing(config)), /https:\/\/id\.example\.org/);
    assert.doesNotMatch(toMarkdown(recordOfProcessing(loadConfig({}))), /Identity provider/);
  });

  it("states the live settings in the TOMs, including a lobby switched off", () => {
    const md = toMarkdown(toms(loadConfig({ PLENUM_DEFAULT_LOBBY: "false" })));
    assert.match(md, /SWITCHED OFF by PLENUM_DEFAULT_LOBBY=false/);
    assert.match(md, /End-to-end encryption is not implemented yet/);
  });
});
