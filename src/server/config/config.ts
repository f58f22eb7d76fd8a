import { isIP } from "node:net";
import { availableParallelism, hostname } from "node:os";
import { z } from "zod";
import { type OidcConfig, RequiredClaim, requiredClaimNeedsProvider } from "./oidc";

/**
 * The one typed configuration. Every setting comes from an environment
 * variable (documented in the README); `loadConfig` validates all of them at
 * start and names every bad value at once.
 */
export interface Limits {
  participants: number;
  lobby: number;
  roomsPerAddressPerHour: number;
  roomsPerHour: number;
  argon2Concurrency: number;
  argon2Queue: number;
  moderatorActionsPerMinute: number;
  connectionsPerAddress: number;
}

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
    /** The forwarding fast path (src/server/media/werift/fast); off only to compare or to rule it out. */
    fastPath: boolean;
    /** The fast path's native helpers (src/server/media/native) where built; off to compare. */
    nativeMedia: boolean;
  };
  /** Joins (and lobby knocks) one IP address may make: a burst, then so many a minute. */
  joinLimit: { burst: number; perMinute: number };
  /** Bounds on everything that costs or grows (docs/OPERATIONS.md, "Limits"; SPEC LIMIT-1). */
  limits: Limits;
  /** Who may create rooms: anyone (a local instance) or signed-in organisers only (SPEC LIMIT-2). */
  roomCreation: "anyone" | "organisers";
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
/** An address or a CIDR block, as node:net's BlockList takes them. */
const cidr = z.string().refine((s) => {
  const [ip = "", bits, ...rest] = s.split("/");
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}, "must be an IP address or a CIDR block like 10.0.0.0/8");
/** A TURN server URI (RFC 7065): turn: or turns:, host, optional port and transport. */
const turnUrl = z
  .string()
  .regex(
    /^turns?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/,
    "must look like turn:turn.example.org:3478?transport=udp or turns:turn.example.org:443?transport=tcp",
  );
/** host:port of an internal listener; the host must be an address, not a name. */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/, "must look like 10.0.0.5:9100 or [::1]:9100")
  .transform((s) => {
    const at = s.lastIndexOf(":");
    return { host: s.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(s.slice(at + 1)) };
  })
  .refine((a) => isIP(a.host) !== 0 && a.port <= 65535, "must be an IP address and a port");
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
  PLENUM_LAST_N: z.coerce.number().int().min(0).max(1000).default(0),
  PLENUM_MEDIA_WORKERS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  PLENUM_JOIN_BURST: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_JOINS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  PLENUM_MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(10_000).default(100),
  PLENUM_MAX_LOBBY: z.coerce.number().int().min(1).max(10_000).default(50),
  PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(30),
  PLENUM_ROOMS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  PLENUM_ARGON2_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  PLENUM_ARGON2_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  PLENUM_MODERATOR_ACTIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  PLENUM_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(200),
  PLENUM_ROOM_CREATION: z.enum(["anyone", "organisers"]).default("anyone"),
  PLENUM_MESSAGE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  PLENUM_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(20),
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
    joinLimit: { burst: e.PLENUM_JOIN_BURST, perMinute: e.PLENUM_JOINS_PER_MINUTE },
    limits: {
      participants: e.PLENUM_MAX_PARTICIPANTS,
      lobby: e.PLENUM_MAX_LOBBY,
      roomsPerAddressPerHour: e.PLENUM_ROOMS_PER_ADDRESS_PER_HOUR,
      roomsPerHour: e.PLENUM_ROOMS_PER_HOUR,
      argon2Concurrency: e.PLENUM_ARGON2_CONCURRENCY,
      argon2Queue: e.PLENUM_ARGON2_QUEUE,
      moderatorActionsPerMinute: e.PLENUM_MODERATOR_ACTIONS_PER_MINUTE,
      connectionsPerAddress: e.PLENUM_MAX_CONNECTIONS_PER_ADDRESS,
    },
    roomCreation: e.PLENUM_ROOM_CREATION,
    messageLimit: { burst: e.PLENUM_MESSAGE_BURST, perSecond: e.PLENUM_MESSAGES_PER_SECOND },
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

/** Two settings that only make sense together: one without the other is a mistake. */
function pairComplete(a: string, b: string) {
  return (e: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    for (const [set, missing] of [
      [a, b],
      [b, a],
    ] as const)
      if (e[set] !== undefined && e[missing] === undefined)
        ctx.addIssue({ code: "custom", path: [missing], message: `required when ${set} is set` });
  };
}

/** TURN needs both its servers and the shared secret that coturn checks credentials with. */
function turnComplete(
  e: { PLENUM_TURN_URLS: string[]; PLENUM_TURN_SECRET?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (e.PLENUM_TURN_URLS.length > 0 && e.PLENUM_TURN_SECRET === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["PLENUM_TURN_SECRET"],
      message: "required when PLENUM_TURN_URLS is set (coturn's static-auth-secret)",
    });
  if (e.PLENUM_TURN_SECRET !== undefined && e.PLENUM_TURN_URLS.length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["PLENUM_TURN_URLS"],
      message: "required when PLENUM_TURN_SECRET is set",
    });
}

const OIDC_VARIABLES = [
  "PLENUM_OIDC_ISSUER",
  "PLENUM_OIDC_CLIENT_ID",
  "PLENUM_OIDC_CLIENT_SECRET",
] as const;

/** OIDC is all or nothing: a half-configured provider is a mistake, not "off". */
/** Every media worker needs a share of the port range (src/server/media/workers/ports.ts). */
function portsForWorkers(
  e: { PLENUM_MEDIA_PORTS?: [number, number] | undefined; PLENUM_MEDIA_WORKERS: number },
  ctx: z.RefinementCtx,
): void {
  const range = e.PLENUM_MEDIA_PORTS;
  if (range && range[1] - range[0] + 1 < e.PLENUM_MEDIA_WORKERS)
    ctx.addIssue({
      code: "custom",
      path: ["PLENUM_MEDIA_PORTS"],
      message: `must hold at least one port per media worker (PLENUM_MEDIA_WORKERS=${e.PLENUM_MEDIA_WORKERS})`,
    });
}

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

/** Nodes of a cluster must see the same rooms and accounts: a SQLite file per node would not. */
function clusterNeedsSharedStore(
  e: { PLENUM_REDIS_URL?: string | undefined; PLENUM_DATABASE_URL?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (e.PLENUM_REDIS_URL && !e.PLENUM_DATABASE_URL)
    ctx.addIssue({
      code: "custom",
      path: ["PLENUM_DATABASE_URL"],
      message:
        "required when PLENUM_REDIS_URL is set (the nodes of a cluster share one PostgreSQL)",
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
