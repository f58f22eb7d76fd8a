import { type Config, OPERATOR_VARIABLES, type OperatorFacts } from "../config/config";
import { truncateIp } from "../observability/log";
import { DEFAULTS } from "../store/rooms";
import type { ClientBuild } from "./client-build";

/**
 * What the live server says about itself, for `plenum audit` and the privacy
 * notice: only settings and behaviour, nothing about any person. Facts that
 * describe features not built yet say so (`implemented: false`) rather than
 * claiming anything; when a feature lands, it flips its fact here.
 */
export interface ComplianceFacts {
  version: 1;
  publicUrl: string;
  defaults: {
    /** The client never asks for camera or microphone before the person switches them on. */
    cameraOff: boolean;
    microphoneOff: boolean;
    lobby: boolean;
    roomCreation: "anyone" | "organisers";
    e2ee: { byDefault: boolean; implemented: boolean };
    recording: { server: boolean };
  };
  retention: {
    roomDays: number;
    auditDays: number;
    sessionHours: number;
    logDays: number;
    /** Tables in the database and the rule that deletes their rows. */
    tables: Record<string, string>;
  };
  logs: {
    /** What the logger makes of sample addresses: proof of truncation, not a claim. */
    ipv4Sample: string;
    ipv6Sample: string;
    redacted: string[];
  };
  integrations: {
    oidcIssuer: string | null;
    turn: { implemented: boolean; url: string | null };
    smtp: null;
    database: string;
  };
  cspAllow: string[];
  operator: Record<keyof OperatorFacts, boolean>;
  /** Operator facts that are missing, by the environment variable to set. */
  missingOperatorSettings: string[];
  /** Hosts the server process itself connected to since start (EgressMonitor). */
  egress: { hosts: Record<string, number>; configured: string[] };
  features: { chatStored: false; ai: false; backgroundBlur: false; perPersonStatistics: false };
  /** SHA-256 of the client files this server serves (docs/E2EE.md, "The code you run"). */
  clientBuild: ClientBuild | null;
}

/** Sample addresses from documentation ranges (RFC 5737, RFC 3849). */
const IPV4_SAMPLE = "203.0.113.77";
const IPV6_SAMPLE = "2001:db8:1234:5678::9";

export const TABLE_RETENTION: Record<string, string> = {
  rooms:
    "ad-hoc rooms: PLENUM_ROOM_RETENTION_DAYS after last use; organiser rooms: with the account",
  room_events: "PLENUM_AUDIT_RETENTION_DAYS after the event, and with the room",
  accounts: "until removed (plenum user remove / plenum subject erase)",
  auth_sessions: "at expiry (PLENUM_SESSION_HOURS) or sign-out",
  meetings: "at the next hourly run once ended, or after a day without activity",
  meeting_members: "with their meeting",
  kicks: "once over (end of the meeting, or the day or week a moderator chose)",
};

export function complianceFacts(
  config: Config,
  publicUrl: string,
  egressHosts: Record<string, number>,
  clientBuild: ClientBuild | null = null,
): ComplianceFacts {
  const missing = (Object.keys(OPERATOR_VARIABLES) as (keyof OperatorFacts)[]).filter(
    (k) => config.operator[k] === undefined,
  );
  return {
    version: 1,
    publicUrl,
    defaults: {
      cameraOff: true,
      microphoneOff: true,
      lobby: config.defaultLobby,
      /** Who may create rooms (PLENUM_ROOM_CREATION; SPEC LIMIT-2). */
      roomCreation: config.roomCreation,
      // MLS + SFrame in the browser, on for every room unless its organiser turns it off.
      e2ee: { byDefault: DEFAULTS.e2ee, implemented: true },
      recording: { server: false },
    },
    retention: {
      roomDays: config.retention.roomDays,
      auditDays: config.retention.auditDays,
      sessionHours: config.sessionHours,
      logDays: config.logRetentionDays,
      tables: TABLE_RETENTION,
    },
    logs: {
      ipv4Sample: `${IPV4_SAMPLE} -> ${truncateIp(IPV4_SAMPLE)}`,
      ipv6Sample: `${IPV6_SAMPLE} -> ${truncateIp(IPV6_SAMPLE)}`,
      redacted: ["name", "displayName", "text", "username", "password", "token", "req.headers"],
    },
    integrations: {
      oidcIssuer: config.oidc?.issuer ?? null,
      turn: { implemented: true, url: config.turn ? config.turn.urls.join(", ") : null },
      smtp: null,
      database: "SQLite file on this server",
    },
    cspAllow: config.cspAllow,
    operator: Object.fromEntries(
      Object.entries(config.operator).map(([k, v]) => [k, v !== undefined]),
    ) as Record<keyof OperatorFacts, boolean>,
    missingOperatorSettings: missing.map((k) => OPERATOR_VARIABLES[k]),
    egress: { hosts: egressHosts, configured: configuredHosts(config) },
    features: { chatStored: false, ai: false, backgroundBlur: false, perPersonStatistics: false },
    clientBuild,
  };
}

/** Hosts the operator configured the server to reach: OIDC provider, PostgreSQL, Redis. */
function configuredHosts(config: Config): string[] {
  const urls = [config.oidc?.issuer, config.databaseUrl, config.cluster?.redisUrl];
  // URL keeps IPv6 brackets; the egress monitor records bare addresses.
  return urls.flatMap((u) => (u ? [new URL(u).hostname.replace(/^\[|\]$/g, "")] : []));
}
