import { isIP } from "node:net";
import { z } from "zod";

/**
 * The one typed configuration. Every setting comes from an environment
 * variable (documented in the README); `loadConfig` validates all of them at
 * start and names every bad value at once.
 */
export interface Config {
  host: string;
  port: number;
  /** Where people reach this server; links handed out are built from it. */
  publicUrl: string;
  dataDir: string;
  /**
   * Where the built web client is; unset means `dist/client` of this checkout.
   * Tests that start the server as a process point it at a stub page, so they
   * do not depend on a client build.
   */
  clientDir: string | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  media: {
    /**
     * Addresses the SFU announces as ICE host candidates. Only these are used:
     * no STUN lookup, no other interface.
     */
    addresses: string[];
    /** UDP port range for media, so a firewall can open exactly it. */
    portRange: [number, number] | undefined;
    /** The forwarding fast path (src/server/media/werift/fast); off only to compare or to rule it out. */
    fastPath: boolean;
  };
  /** Joins (and lobby knocks) one IP address may make: a burst, then so many a minute. */
  joinLimit: { burst: number; perMinute: number };
  /**
   * Signalling messages one connection may send: a burst, then so many a second.
   * Load and fuzz tests raise it; in production the defaults stop a flood at once.
   */
  messageLimit: { burst: number; perSecond: number };
  retention: {
    /** A room nobody has used for this many days is deleted. */
    roomDays: number;
    /** Moderation audit events are deleted after this many days. */
    auditDays: number;
  };
  /** How long a sign-in lasts, in hours. */
  sessionHours: number;
  /** Login through an OpenID Connect provider; undefined when not configured. */
  oidc: { issuer: string; clientId: string; clientSecret: string } | undefined;
  /** Whether a new ad-hoc room starts with its lobby on (COMPLIANCE T4 wants true). */
  defaultLobby: boolean;
  /**
   * Origins besides its own that the browser may contact (added to the CSP's
   * connect-src and form-action), e.g. an identity provider reached by a form.
   * Every one is reported by `plenum audit` (COMPLIANCE L4).
   */
  cspAllow: string[];
  /** Usernames of organiser accounts that may see `/admin/compliance`. */
  admins: string[];
  /** How long the operator's log collector keeps Plenum's logs (stdout); stated in the privacy notice. */
  logRetentionDays: number;
  /** The Chromium that `/admin/compliance` drives for its browser probe. */
  chromiumPath: string;
  /** The operator's own facts for the privacy notice and records; undefined = not stated yet. */
  operator: OperatorFacts;
}

/** Facts only the controller knows; each missing one makes an audit criterion yellow. */
export interface OperatorFacts {
  controllerName: string | undefined;
  controllerAddress: string | undefined;
  controllerEmail: string | undefined;
  dpoContact: string | undefined;
  /** e.g. "Art. 6(1)(e) GDPR with § 3 BbgDSG". */
  legalBasis: string | undefined;
  purposes: string | undefined;
}

/** Which environment variable states each operator fact (for messages naming the setting). */
export const OPERATOR_VARIABLES: Record<keyof OperatorFacts, string> = {
  controllerName: "PLENUM_CONTROLLER_NAME",
  controllerAddress: "PLENUM_CONTROLLER_ADDRESS",
  controllerEmail: "PLENUM_CONTROLLER_EMAIL",
  dpoContact: "PLENUM_DPO_CONTACT",
  legalBasis: "PLENUM_LEGAL_BASIS",
  purposes: "PLENUM_PURPOSES",
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

const port = z.coerce.number().int().min(0).max(65535);
const address = z.string().refine((a) => isIP(a) !== 0, "must be an IPv4 or IPv6 address");

const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
  );
const fact = z.string().trim().min(1).max(2000).optional();
/** An origin the browser may be allowed to reach: https, or http only on loopback. */
const origin = z
  .url({ protocol: /^https?$/ })
  // Zod runs refinements even after the URL check failed, hence canParse.
  .refine(
    (u) => URL.canParse(u) && new URL(u).origin === u.replace(/\/$/, ""),
    "must be an origin (no path)",
  )
  .refine(
    (u) =>
      u.startsWith("https:") ||
      (URL.canParse(u) && LOOPBACK.has(new URL(u).hostname.replace(/^\[|\]$/g, ""))),
    "must be https (plain http only on loopback)",
  );

const Env = z.object({
  PLENUM_HOST: z.string().min(1).default("127.0.0.1"),
  PLENUM_PORT: port.default(8080),
  PLENUM_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  PLENUM_DATA_DIR: z.string().min(1).default("./data"),
  PLENUM_CLIENT_DIR: z.string().min(1).optional(),
  PLENUM_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  PLENUM_MEDIA_ADDRESSES: z
    .string()
    .optional()
    .transform((s) =>
      s
        ?.split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(address).min(1).optional()),
  PLENUM_MEDIA_PORTS: z
    .string()
    .regex(/^\d+-\d+$/, "must look like 40000-49999")
    .optional()
    .transform((s) => s?.split("-").map(Number) as [number, number] | undefined)
    .refine(
      (r) => !r || (r[0] >= 1024 && r[0] <= r[1] && r[1] <= 65535),
      "must be a range within 1024-65535",
    ),
  PLENUM_JOIN_BURST: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_JOINS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_MESSAGE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  PLENUM_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(20),
  PLENUM_ROOM_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  PLENUM_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  PLENUM_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  PLENUM_OIDC_ISSUER: z
    .url({ protocol: /^https?$/ })
    .optional()
    .refine(
      (u) =>
        !u || u.startsWith("https:") || LOOPBACK.has(new URL(u).hostname.replace(/^\[|\]$/g, "")),
      "must be https (plain http only for a provider on loopback)",
    ),
  PLENUM_OIDC_CLIENT_ID: z.string().min(1).optional(),
  PLENUM_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  PLENUM_DEFAULT_LOBBY: z.enum(["true", "false"]).default("true"),
  PLENUM_FASTPATH: z.enum(["0", "1"]).default("1"),
  PLENUM_CSP_ALLOW: list.pipe(z.array(origin)),
  PLENUM_ADMINS: list,
  PLENUM_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  PLENUM_CHROMIUM: z.string().min(1).default("/usr/bin/chromium"),
  PLENUM_CONTROLLER_NAME: fact,
  PLENUM_CONTROLLER_ADDRESS: fact,
  PLENUM_CONTROLLER_EMAIL: fact,
  PLENUM_DPO_CONTACT: fact,
  PLENUM_LEGAL_BASIS: fact,
  PLENUM_PURPOSES: fact,
});

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment; throws a ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.superRefine(oidcComplete).safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const hostForUrl = isIP(e.PLENUM_HOST) === 6 ? `[${e.PLENUM_HOST}]` : e.PLENUM_HOST;
  return {
    host: e.PLENUM_HOST,
    port: e.PLENUM_PORT,
    publicUrl: (e.PLENUM_PUBLIC_URL ?? `http://${hostForUrl}:${e.PLENUM_PORT}`).replace(/\/$/, ""),
    dataDir: e.PLENUM_DATA_DIR,
    clientDir: e.PLENUM_CLIENT_DIR,
    logLevel: e.PLENUM_LOG_LEVEL,
    media: {
      addresses: e.PLENUM_MEDIA_ADDRESSES ?? defaultMediaAddresses(e.PLENUM_HOST),
      portRange: e.PLENUM_MEDIA_PORTS,
      fastPath: e.PLENUM_FASTPATH === "1",
    },
    joinLimit: { burst: e.PLENUM_JOIN_BURST, perMinute: e.PLENUM_JOINS_PER_MINUTE },
    messageLimit: { burst: e.PLENUM_MESSAGE_BURST, perSecond: e.PLENUM_MESSAGES_PER_SECOND },
    retention: { roomDays: e.PLENUM_ROOM_RETENTION_DAYS, auditDays: e.PLENUM_AUDIT_RETENTION_DAYS },
    sessionHours: e.PLENUM_SESSION_HOURS,
    oidc:
      e.PLENUM_OIDC_ISSUER && e.PLENUM_OIDC_CLIENT_ID && e.PLENUM_OIDC_CLIENT_SECRET
        ? {
            issuer: e.PLENUM_OIDC_ISSUER,
            clientId: e.PLENUM_OIDC_CLIENT_ID,
            clientSecret: e.PLENUM_OIDC_CLIENT_SECRET,
          }
        : undefined,
    defaultLobby: e.PLENUM_DEFAULT_LOBBY === "true",
    cspAllow: e.PLENUM_CSP_ALLOW.map((u) => new URL(u).origin),
    admins: e.PLENUM_ADMINS,
    logRetentionDays: e.PLENUM_LOG_RETENTION_DAYS,
    chromiumPath: e.PLENUM_CHROMIUM,
    operator: {
      controllerName: e.PLENUM_CONTROLLER_NAME,
      controllerAddress: e.PLENUM_CONTROLLER_ADDRESS,
      controllerEmail: e.PLENUM_CONTROLLER_EMAIL,
      dpoContact: e.PLENUM_DPO_CONTACT,
      legalBasis: e.PLENUM_LEGAL_BASIS,
      purposes: e.PLENUM_PURPOSES,
    },
  };
}

const OIDC_VARIABLES = [
  "PLENUM_OIDC_ISSUER",
  "PLENUM_OIDC_CLIENT_ID",
  "PLENUM_OIDC_CLIENT_SECRET",
] as const;

/** OIDC is all or nothing: a half-configured provider is a mistake, not "off". */
function oidcComplete(
  e: Partial<Record<(typeof OIDC_VARIABLES)[number], string>>,
  ctx: z.RefinementCtx,
): void {
  const set = OIDC_VARIABLES.filter((name) => e[name] !== undefined);
  if (set.length === 0 || set.length === OIDC_VARIABLES.length) return;
  for (const name of OIDC_VARIABLES.filter((n) => e[n] === undefined))
    ctx.addIssue({
      code: "custom",
      path: [name],
      message: `required when ${set.join(" and ")} is set`,
    });
}

/**
 * A server bound to loopback is a local instance: media stays on loopback too.
 * Anything else must say which addresses to announce, because guessing (as
 * STUN would) means asking a third party.
 */
function defaultMediaAddresses(host: string): string[] {
  if (LOOPBACK.has(host)) return [host === "::1" ? "::1" : "127.0.0.1"];
  if (isIP(host) !== 0 && host !== "0.0.0.0" && host !== "::") return [host];
  throw new ConfigError(
    "Invalid configuration:\n  PLENUM_MEDIA_ADDRESSES: required when PLENUM_HOST is not a single address (say which IP addresses clients reach for media)",
  );
}
