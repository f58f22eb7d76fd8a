import { hash, verify } from "@node-rs/argon2";
import { limitRefusals } from "../observability/metrics";

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes): slow enough
 * to make a stolen hash expensive to attack, fast enough (~30 ms here) for a login.
 */
const ARGON2ID = 2; // Algorithm.Argon2id; a const enum, which isolated modules cannot import
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** The bounded queue was full: the caller answers "busy" (SPEC LIMIT-1). */
export class PasswordsBusy extends Error {
  constructor() {
    super("too many password operations waiting");
  }
}

/**
 * Every argon2 operation takes 19 MiB and a core for ~30 ms: a flood of them
 * (room creation with a password, wrong guesses, set-password) would take
 * the server's memory and CPU from the meetings. At most `concurrency` run at
 * once and `queue` wait; beyond that the request is refused at once.
 */
const bound = { concurrency: 2, queue: 32 };
let running = 0;
const waiting: (() => void)[] = [];

export function limitPasswordWork(limits: { concurrency: number; queue: number }): void {
  bound.concurrency = limits.concurrency;
  bound.queue = limits.queue;
}

/** Operations running and waiting now (for /metrics). */
export function passwordWork(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= bound.concurrency) {
    if (waiting.length >= bound.queue) {
      limitRefusals.inc({ limit: "argon2-queue" });
      throw new PasswordsBusy();
    }
    await new Promise<void>((start) => waiting.push(start));
  } else running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return bounded(() => hash(password, OPTIONS));
}

/** True when `password` matches `encoded`; false (never a throw) for a malformed hash. */
export function verifyPassword(encoded: string, password: string): Promise<boolean> {
  return bounded(async () => {
    try {
      return await verify(encoded, password);
    } catch {
      return false;
    }
  });
}
