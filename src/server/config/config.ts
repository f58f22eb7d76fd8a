import { isIP } from "node:net";
import { availableParallelism, hostname } from "node:os";
import { z } from "zod";
import {
  clusterNeedsSharedStore,
  oidcComplete,
  pairComplete,
  portsForWorkers,
  turnComplete,
} from "./checks";
import { address, cidr, fact, hostPort, LOOPBACK, list, origin, port, turnUrl } from "./fields";
import {
  type JoinLimit,
  LIMIT_VARIABLES,
  type Limits,
  type MessageLimit,
  readLimits,
} from "./limits";
import { type OidcConfig, RequiredClaim, requiredClaimNeedsProvider } from "./oidc";

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
    /** UDP port range for media, so a firewall can open exactly it; split among the workers. */
    portRange: [number, number] | undefined;
    /** Video of at most this many most recent speakers reaches each person; 0 = everyone's. */
    lastN: number;
    /** Media worker threads; rooms are spread over them (default: one per core). */
    workers: number;
    /** The forwarding fast path (src/server/media/werift/patches/fast); off only to compare or to rule it out. */
    fastPath: boolean;
    /** The fast path's native helpers (src/server/media/native) where built; off to compare. */
    nativeMedia: boolean;
  };
  /** Joins (and lobby knocks) one IP address may make: a burst, then so many a minute. */
  joinLimit: JoinLimit;
  /** Bounds on everything that costs or grows (docs/OPERATIONS.md, "Limits"; SPEC LIMIT-1). */
  limits: Limits;
  /** Who may create rooms: anyone (a local instance) or signed-in organisers only (SPEC LIMIT-2). */
  roomCreation: "anyone" | "organisers";
  /**
   * Signalling messages one connection may send: a burst, then so many a second.
   * Load and fuzz tests raise it; in production the defaults stop a flood at once.
   */
  messageLimit: MessageLimit;
  retention: {
    /** A room nobody has used for this many days is deleted. */
    roomDays: number;
    /** Moderation audit events are deleted after this many days. */
    auditDays: number;
  };
  /** How long a sign-in lasts, in hours. */
  sessionHours: number;
  /** How long a participant's place is kept after their connection dropped, in seconds. */
  resumeSeconds: number;
  /** On SIGTERM: how long participants are told before connections close, in seconds. */
  shutdownGraceSeconds: number;
  /** Login through an OpenID Connect provider; undefined when not configured. */
  oidc: OidcConfig | undefined;
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
  /** A PostgreSQL URL for the shared store; undefined means the SQLite file in `dataDir`. */
  databaseUrl: string | undefined;
  /** Cluster mode: the Redis that coordinates the nodes; undefined means a single node. */
  cluster: ClusterConfig | undefined;
  /** Certificate and key files for built-in HTTPS; undefined = plain HTTP (behind a proxy, or local). */
  tls: { certFile: string; keyFile: string } | undefined;
  /**
   * Reverse proxies (addresses and CIDRs) whose X-Forwarded-For/-Proto are
   * believed; from anyone else those headers are ignored.
   */
  trustedProxies: string[];
  /** coturn with `use-auth-secret`; undefined = no TURN, clients get no ICE servers at all. */
  turn: { urls: string[]; secret: string; ttlSeconds: number } | undefined;
  /** Who may read `/metrics`: a Bearer token, an internal listener, both, or neither (404). */
  metrics: { token: string | undefined; address: { host: string; port: number } | undefined };
}

/** How this node takes part in a cluster (docs/OPERATIONS.md, "Cluster"). */
export interface ClusterConfig {
  redisUrl: string;
  /** This node's name in Redis; unique among the nodes. */
  nodeId: string;
  /** How long a draining node (SIGTERM) waits for its rooms to empty before it stops anyway. */
  drainSeconds: number;
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

const Env = z.object({
  ...LIMIT_VARIABLES,
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
  PLENUM_LAST_N: z.coerce.number().int().min(0).max(1000).default(0),
  PLENUM_MEDIA_WORKERS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  PLENUM_ROOM_CREATION: z.enum(["anyone", "organisers"]).default("anyone"),
  PLENUM_RESUME_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  PLENUM_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(60).default(2),
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
  PLENUM_OIDC_REQUIRED_CLAIM: RequiredClaim.optional(),
  PLENUM_DEFAULT_LOBBY: z.enum(["true", "false"]).default("true"),
  PLENUM_FASTPATH: z.enum(["0", "js", "1"]).default("1"),
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
  PLENUM_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PLENUM_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  PLENUM_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, dots, dashes or underscores")
    .optional(),
  PLENUM_DRAIN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  PLENUM_TLS_CERT: z.string().min(1).optional(),
  PLENUM_TLS_KEY: z.string().min(1).optional(),
  PLENUM_TRUSTED_PROXIES: list.pipe(z.array(cidr)),
  PLENUM_TURN_URLS: list.pipe(z.array(turnUrl)),
  PLENUM_TURN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  PLENUM_TURN_TTL: z.coerce.number().int().min(300).max(604_800).default(43_200),
  // Short tokens could be guessed over the network.
  PLENUM_METRICS_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  PLENUM_METRICS_ADDRESS: hostPort.optional(),
});

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment; throws a ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.superRefine(oidcComplete)
    .superRefine(requiredClaimNeedsProvider)
    .superRefine(portsForWorkers)
    .superRefine(clusterNeedsSharedStore)
    .superRefine(pairComplete("PLENUM_TLS_CERT", "PLENUM_TLS_KEY"))
    .superRefine(turnComplete)
    .safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const hostForUrl = isIP(e.PLENUM_HOST) === 6 ? `[${e.PLENUM_HOST}]` : e.PLENUM_HOST;
  const scheme = e.PLENUM_TLS_CERT ? "https" : "http";
  return {
    host: e.PLENUM_HOST,
    port: e.PLENUM_PORT,
    publicUrl: (e.PLENUM_PUBLIC_URL ?? `${scheme}://${hostForUrl}:${e.PLENUM_PORT}`).replace(
      /\/$/,
      "",
    ),
    dataDir: e.PLENUM_DATA_DIR,
    clientDir: e.PLENUM_CLIENT_DIR,
    logLevel: e.PLENUM_LOG_LEVEL,
    media: {
      addresses: e.PLENUM_MEDIA_ADDRESSES ?? defaultMediaAddresses(e.PLENUM_HOST),
      portRange: e.PLENUM_MEDIA_PORTS,
      lastN: e.PLENUM_LAST_N,
      workers: e.PLENUM_MEDIA_WORKERS,
      fastPath: e.PLENUM_FASTPATH !== "0",
      nativeMedia: e.PLENUM_FASTPATH === "1",
    },
    ...readLimits(e),
    roomCreation: e.PLENUM_ROOM_CREATION,
    retention: { roomDays: e.PLENUM_ROOM_RETENTION_DAYS, auditDays: e.PLENUM_AUDIT_RETENTION_DAYS },
    sessionHours: e.PLENUM_SESSION_HOURS,
    resumeSeconds: e.PLENUM_RESUME_SECONDS,
    shutdownGraceSeconds: e.PLENUM_SHUTDOWN_GRACE_SECONDS,
    oidc:
      e.PLENUM_OIDC_ISSUER && e.PLENUM_OIDC_CLIENT_ID && e.PLENUM_OIDC_CLIENT_SECRET
        ? {
            issuer: e.PLENUM_OIDC_ISSUER,
            clientId: e.PLENUM_OIDC_CLIENT_ID,
            clientSecret: e.PLENUM_OIDC_CLIENT_SECRET,
            ...(e.PLENUM_OIDC_REQUIRED_CLAIM
              ? { requiredClaim: e.PLENUM_OIDC_REQUIRED_CLAIM }
              : {}),
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
    databaseUrl: e.PLENUM_DATABASE_URL,
    cluster: e.PLENUM_REDIS_URL
      ? {
          redisUrl: e.PLENUM_REDIS_URL,
          nodeId: e.PLENUM_NODE_ID ?? hostname(),
          drainSeconds: e.PLENUM_DRAIN_SECONDS,
        }
      : undefined,
    tls:
      e.PLENUM_TLS_CERT && e.PLENUM_TLS_KEY
        ? { certFile: e.PLENUM_TLS_CERT, keyFile: e.PLENUM_TLS_KEY }
        : undefined,
    trustedProxies: e.PLENUM_TRUSTED_PROXIES,
    turn:
      e.PLENUM_TURN_URLS.length > 0 && e.PLENUM_TURN_SECRET
        ? { urls: e.PLENUM_TURN_URLS, secret: e.PLENUM_TURN_SECRET, ttlSeconds: e.PLENUM_TURN_TTL }
        : undefined,
    metrics: { token: e.PLENUM_METRICS_TOKEN, address: e.PLENUM_METRICS_ADDRESS },
  };
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
