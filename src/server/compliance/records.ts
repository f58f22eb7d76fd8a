import type { Config } from "../config/config";
import type { Doc } from "./document";
import { TABLE_RETENTION } from "./facts";
import { recipients } from "./privacy";

const notStated = (v: string | undefined, variable: string) => v ?? `[not stated: ${variable}]`;

/** The record of processing activities (Art. 30(1) GDPR), from the configuration. */
export function recordOfProcessing(config: Config): Doc {
  const o = config.operator;
  const r = config.retention;
  const others = recipients(config, "en");
  return {
    lang: "en",
    title: "Record of processing activities (Art. 30 GDPR): video meetings with Plenum",
    sections: [
      {
        heading: "Controller and data protection officer",
        body: [
          [
            `Controller: ${notStated(o.controllerName, "PLENUM_CONTROLLER_NAME")}, ${notStated(o.controllerAddress, "PLENUM_CONTROLLER_ADDRESS")}`,
            `Contact: ${notStated(o.controllerEmail, "PLENUM_CONTROLLER_EMAIL")}`,
            `Data protection officer: ${notStated(o.dpoContact, "PLENUM_DPO_CONTACT")}`,
          ],
        ],
      },
      {
        heading: "Purposes and legal basis",
        body: [
          notStated(o.purposes, "PLENUM_PURPOSES"),
          notStated(o.legalBasis, "PLENUM_LEGAL_BASIS"),
        ],
      },
      {
        heading: "Categories of data subjects and personal data",
        body: [
          [
            "Participants: display name (memory only), picture and sound when switched on (relayed, not stored), IP address while connected (logs: truncated to IPv4 /24, IPv6 /48).",
            "Organisers: username, argon2id password hash or OIDC issuer and subject, sign-in sessions (token hash), rooms they own.",
            "Moderation audit events: pseudonymous participant ids, action, time; no names, no content.",
          ],
        ],
      },
      {
        heading: "Recipients",
        body: [
          others.length > 0
            ? others
            : ["None: the service runs entirely on the controller's server."],
        ],
      },
      { heading: "Transfers to third countries", body: ["None."] },
      {
        heading: "Time limits for erasure",
        body: [
          [
            ...Object.entries(TABLE_RETENTION).map(([table, rule]) => `${table}: ${rule}`),
            `Configured: rooms ${r.roomDays} days, audit events ${r.auditDays} days, sessions ${config.sessionHours} hours, logs ${config.logRetentionDays} days.`,
          ],
        ],
      },
      {
        heading: "Technical and organisational measures",
        body: ["See the TOMs document (plenum docs toms)."],
      },
    ],
  };
}

/** The technical and organisational measures (Art. 32 GDPR), from the configuration. */
export function toms(config: Config): Doc {
  const tls = config.publicUrl.startsWith("https:");
  return {
    lang: "en",
    title: "Technical and organisational measures (Art. 32 GDPR): Plenum",
    sections: [
      {
        heading: "Confidentiality",
        body: [
          [
            tls
              ? `Transport encryption: the service is published at ${config.publicUrl}; TLS termination must offer TLS 1.2/1.3 with forward secrecy only (BSI TR-02102-2) and HSTS.`
              : `Transport encryption: the service is published at ${config.publicUrl} without TLS; acceptable only on loopback.`,
            "Media: DTLS-SRTP between browser and server. End-to-end encryption is not implemented yet.",
            "Access: room ids with at least 128 random bits, lobby on by default" +
              (config.defaultLobby ? "" : " (SWITCHED OFF by PLENUM_DEFAULT_LOBBY=false)") +
              ", optional room password (argon2id), lock, kick; unknown and locked rooms answer alike.",
            "Organisers sign in with a local account (argon2id) or OIDC; sessions are stored as token hashes only.",
            "Roles expand to permission sets checked on the server; administrators have no access to media or chat.",
            "Content Security Policy: only the own origin" +
              (config.cspAllow.length > 0
                ? `, plus ${config.cspAllow.join(", ")} (PLENUM_CSP_ALLOW)`
                : "") +
              "; no third-party assets.",
          ],
        ],
      },
      {
        heading: "Integrity and availability",
        body: [
          [
            "Rate limits on joins and signalling messages per address and connection.",
            "Security headers on every response (CSP, no referrer, no framing, nosniff).",
            "The operator backs up the data directory (PLENUM_DATA_DIR) and keeps the host patched.",
          ],
        ],
      },
      {
        heading: "Data minimisation and deletion",
        body: [
          [
            "Logs contain no full IP address (IPv4 /24, IPv6 /48), no names, no chat text, no room links.",
            `Deletion jobs run at start and hourly: rooms after ${config.retention.roomDays} days unused, audit events after ${config.retention.auditDays} days, sessions at expiry.`,
            "Chat and media are never stored. No telemetry, no analytics, no update checks.",
            "Data subject requests: plenum subject export / erase --account NAME.",
          ],
        ],
      },
      {
        heading: "Verification",
        body: [
          "`plenum audit` checks the running deployment against each criterion and reports the evidence.",
        ],
      },
    ],
  };
}
