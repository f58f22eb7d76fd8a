import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Role } from "../../protocol/messages";
import { keyedPseudonyms, type Pseudonyms } from "./room-record";

/** What a resume ticket vouches for: this browser session held this place in this room. */
export interface TicketClaims {
  roomId: string;
  participantId: string;
  role: Role;
  /** The 128-bit random token of the place; the room keeps only its hash. */
  token: string;
  /** The server process that issued it: a ticket from an earlier process restores a place. */
  boot: string;
  /** ms since 1970. */
  expires: number;
}

const KEY_FILE = "resume.key";
const KEY_BYTES = 32;

/**
 * Resume tickets: HMAC-SHA256-signed claims, so that a place in a meeting
 * survives a restart of the server process, which remembers nothing else.
 * The key lives in the data folder (mode 0600), created on first start; the
 * ticket is bound to the browser session (its client id's hash), so a ticket
 * alone, copied elsewhere, opens nothing.
 */
export class ResumeTickets {
  /** Random per process: tells a ticket of this process from one of an earlier one. */
  readonly boot = randomBytes(9).toString("base64url");

  constructor(
    private readonly key: Buffer,
    /** How long a ticket stays valid; clients get a fresh one well before. */
    readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the key from `dataDir`, creating it (0600) on first start. */
  static fromDataDir(dataDir: string, lifetimeMs: number, now?: () => number): ResumeTickets {
    const path = join(dataDir, KEY_FILE);
    let key: Buffer;
    try {
      key = Buffer.from(readFileSync(path, "utf8").trim(), "base64url");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mkdirSync(dataDir, { recursive: true });
      key = randomBytes(KEY_BYTES);
      writeFileSync(path, `${key.toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    }
    chmodSync(path, 0o600);
    if (key.length !== KEY_BYTES) throw new Error(`${path} does not hold a ${KEY_BYTES}-byte key`);
    return new ResumeTickets(key, lifetimeMs, now);
  }

  /** A fresh random place token (128 bits). */
  static newToken(): string {
    return randomBytes(16).toString("base64url");
  }

  static hashToken(token: string): string {
    return createHash("sha256").update(token).digest("base64url");
  }

  issue(claims: Omit<TicketClaims, "boot" | "expires">, clientId: string): string {
    const body = {
      r: claims.roomId,
      p: claims.participantId,
      role: claims.role,
      t: claims.token,
      b: this.boot,
      e: this.now() + this.lifetimeMs,
      c: clientHash(clientId),
    };
    const payload = Buffer.from(JSON.stringify(body)).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** The claims of a genuine, unexpired ticket of this browser session; undefined otherwise. */
  verify(ticket: string, clientId: string): TicketClaims | undefined {
    const [payload, mac, ...rest] = ticket.split(".");
    if (!payload || !mac || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(payload), "base64url");
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    const role = Role.safeParse(body.role);
    if (
      typeof body.r !== "string" ||
      typeof body.p !== "string" ||
      typeof body.t !== "string" ||
      typeof body.b !== "string" ||
      typeof body.e !== "number" ||
      body.c !== clientHash(clientId) ||
      !role.success ||
      body.e < this.now()
    )
      return undefined;
    return {
      roomId: body.r,
      participantId: body.p,
      role: role.data,
      token: body.t,
      boot: body.b,
      expires: body.e,
    };
  }

  /**
   * Keyed hashes for kick records, under a key derived from this one: every
   * node of a cluster shares the key file, so a kick is recognised on all.
   */
  pseudonyms(): Pseudonyms {
    return keyedPseudonyms(createHmac("sha256", this.key).update("plenum-pseudonyms-v1").digest());
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(`plenum-resume-v1.${payload}`).digest("base64url");
  }
}

function clientHash(clientId: string): string {
  return createHash("sha256").update(clientId).digest("base64url").slice(0, 16);
}
