import type { Finding } from "../criteria";
import type { ComplianceFacts } from "../facts";
import { roomCreationFinding } from "./room-creation";

/**
 * Findings from what the live server reports about its own settings and
 * behaviour (`/api/compliance/facts`). When E2EE or TURN land, their facts
 * flip and so do these findings; nothing else needs to change.
 */
export function settingsFindings(f: ComplianceFacts): Finding[] {
  return [...legalFindings(f), ...technicalFindings(f), roomCreationFinding(f)];
}

function integrationsOf(f: ComplianceFacts): string[] {
  return [
    `OIDC provider: ${f.integrations.oidcIssuer ?? "none"}`,
    `TURN: ${f.integrations.turn.url ?? "none"}`,
    `SMTP: ${f.integrations.smtp ?? "none"}`,
    `database: ${f.integrations.database}`,
  ];
}

/** L1–L10: hosts contacted, recipients, the operator's facts, recording, tracking. */
function legalFindings(f: ComplianceFacts): Finding[] {
  const missing = f.missingOperatorSettings;
  const needs = (vars: string[]) => missing.filter((v) => vars.includes(v));
  const basis = needs(["PLENUM_LEGAL_BASIS", "PLENUM_PURPOSES"]);
  const controller = needs([
    "PLENUM_CONTROLLER_NAME",
    "PLENUM_CONTROLLER_ADDRESS",
    "PLENUM_CONTROLLER_EMAIL",
    "PLENUM_DPO_CONTACT",
  ]);
  const unconfigured = Object.keys(f.egress.hosts).filter((h) => !f.egress.configured.includes(h));
  const egress = `server connections since start: ${JSON.stringify(f.egress.hosts)}; configured: ${JSON.stringify(f.egress.configured)}`;
  const integrations = integrationsOf(f);
  const yellowIf = (vars: string[], green: string): Pick<Finding, "status" | "reason"> =>
    vars.length === 0
      ? { status: "green", reason: green }
      : { status: "yellow", reason: `set ${vars.join(", ")}` };
  return [
    {
      id: "L1",
      status: unconfigured.length === 0 ? "green" : "red",
      reason:
        unconfigured.length === 0
          ? "the server contacted no host the operator did not configure"
          : `the server contacted unconfigured hosts: ${unconfigured.join(", ")}`,
      evidence: [egress, ...integrations],
    },
    {
      id: "L3",
      status: unconfigured.length === 0 ? "green" : "red",
      reason:
        unconfigured.length === 0
          ? "no telemetry or other outbound traffic from the server"
          : "outbound traffic to unconfigured hosts",
      evidence: [egress],
    },
    {
      id: "L2",
      status: f.integrations.oidcIssuer ? "yellow" : "green",
      reason: f.integrations.oidcIssuer
        ? "the identity provider is a recipient: conclude an Art. 28 agreement unless it is your own"
        : "no sub-processors: every service runs on this server",
      evidence: integrations,
    },
    {
      id: "L5",
      ...yellowIf(basis, "purposes and legal basis are stated"),
      evidence: [`missing: ${basis.join(", ") || "none"}`, "no processing relies on consent"],
    },
    {
      id: "L6",
      ...yellowIf(controller, "the privacy notice names controller and DPO"),
      evidence: [`missing: ${controller.join(", ") || "none"}`],
    },
    {
      id: "L7",
      ...yellowIf(missing, "record of processing and TOMs are generated from the configuration"),
      evidence: [
        "plenum docs record-of-processing",
        "plenum docs toms",
        `missing: ${missing.join(", ") || "none"}`,
      ],
    },
    {
      id: "L8",
      status: "grey",
      reason: "a DPIA is the controller's; the generated record lists the facts it needs",
      evidence: [],
    },
    {
      id: "L9",
      status: f.defaults.recording.server ? "red" : "green",
      reason: "there is no recording, neither on the server nor in the client",
      evidence: [`server recording: ${f.defaults.recording.server}`],
    },
    {
      id: "L10",
      status: f.features.perPersonStatistics ? "red" : "green",
      reason: "no per-person activity statistics are kept",
      evidence: [`tables: ${Object.keys(f.retention.tables).join(", ")}`],
    },
  ];
}

/** T1–T12 as far as settings decide them; TLS, headers and the browser add their own. */
function technicalFindings(f: ComplianceFacts): Finding[] {
  const ipOk =
    f.logs.ipv4Sample.endsWith("-> 203.0.113.0") &&
    f.logs.ipv6Sample.endsWith("-> 2001:db8:1234::");
  return [
    {
      id: "T2",
      status: f.defaults.e2ee.implemented && f.defaults.e2ee.byDefault ? "green" : "yellow",
      reason: f.defaults.e2ee.implemented
        ? f.defaults.e2ee.byDefault
          ? "end-to-end encryption is on by default"
          : "end-to-end encryption is off by default"
        : "end-to-end encryption is not implemented yet: not for high protection needs",
      evidence: [
        `e2ee: ${JSON.stringify(f.defaults.e2ee)}`,
        // Compare with the released build's digest: a modified client would break E2EE's promise.
        f.clientBuild
          ? `client build SHA-256: ${f.clientBuild.sha256} (${f.clientBuild.files} files; compare with the released build)`
          : "client build SHA-256: not reported",
      ],
    },
    {
      id: "T3",
      status: "grey",
      reason: "guest and organiser sign-in are checked by the test suite, not by this audit",
      evidence: [`OIDC provider: ${f.integrations.oidcIssuer ?? "none"}`],
    },
    {
      id: "T4",
      status: f.defaults.lobby ? "green" : "red",
      reason: f.defaults.lobby
        ? "the lobby is on by default"
        : "new rooms start without a lobby (PLENUM_DEFAULT_LOBBY=false)",
      evidence: [`default lobby: ${f.defaults.lobby}`],
    },
    {
      id: "T5",
      status: "grey",
      reason:
        "role permissions are checked by the test suite; the admin page shows only this report",
      evidence: [],
    },
    {
      id: "T7",
      status: ipOk ? "green" : "red",
      reason: ipOk
        ? `logs truncate addresses and drop names; the log collector must keep them ${f.retention.logDays} days at most`
        : "the logger does not truncate addresses",
      evidence: [
        f.logs.ipv4Sample,
        f.logs.ipv6Sample,
        `redacted fields: ${f.logs.redacted.join(", ")}`,
        `PLENUM_LOG_RETENTION_DAYS=${f.retention.logDays}`,
      ],
    },
    {
      id: "T8",
      status: f.defaults.cameraOff && f.defaults.microphoneOff ? "green" : "red",
      reason: "camera and microphone are off when joining; no remote unmute",
      evidence: [
        `camera off: ${f.defaults.cameraOff}`,
        `microphone off: ${f.defaults.microphoneOff}`,
      ],
    },
    {
      id: "T9",
      // With blur built, the browser probe must switch it on and see no model fetched elsewhere.
      status: f.features.backgroundBlur ? "yellow" : "grey",
      reason: f.features.backgroundBlur
        ? "background blur exists but this audit does not switch it on yet"
        : "background blur is not implemented yet, so no model is loaded from anywhere",
      evidence: [`background blur: ${f.features.backgroundBlur}`],
    },
    {
      id: "T10",
      status: "green",
      reason:
        "every table has a retention rule and a deletion job (at start and hourly); chat is never stored",
      evidence: [
        ...Object.entries(f.retention.tables).map(([t, r]) => `${t}: ${r}`),
        `rooms ${f.retention.roomDays} d, audit ${f.retention.auditDays} d, sessions ${f.retention.sessionHours} h`,
      ],
    },
    {
      id: "T11",
      status: "green",
      reason: "plenum subject export/erase cover every table with personal data",
      evidence: ["accounts, auth_sessions, rooms, room_events"],
    },
    {
      id: "T12",
      status: f.features.ai ? "yellow" : "green",
      reason: "there are no AI features",
      evidence: [],
    },
    {
      id: "T1",
      // coturn's own TLS and denied peer ranges need a probe of their own (its
      // shipped configuration is tested in test/integration/turn.test.ts).
      status: f.integrations.turn.url ? "yellow" : "grey",
      reason: f.integrations.turn.url
        ? "TURN is configured but this audit does not check coturn's TLS and peer restrictions yet; media through it stays DTLS-SRTP"
        : "no TURN server is configured; media goes directly to the SFU over DTLS-SRTP",
      evidence: [`TURN: ${f.integrations.turn.url ?? "none"}`],
    },
  ];
}
