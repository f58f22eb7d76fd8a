import type { z } from "zod";

// Settings that are valid alone but wrong together; each check names the variable to fix.

/** Two settings that only make sense together: one without the other is a mistake. */
export function pairComplete(a: string, b: string) {
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
export function turnComplete(
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

/** Every media worker needs a share of the port range (src/server/media/workers/ports.ts). */
export function portsForWorkers(
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

/** OIDC is all or nothing: a half-configured provider is a mistake, not "off". */
export function oidcComplete(
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
export function clusterNeedsSharedStore(
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
