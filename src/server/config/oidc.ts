import { z } from "zod";

/**
 * Who may sign in through the organisation's OpenID Connect provider (SPEC
 * OIDC-1): `PLENUM_OIDC_REQUIRED_CLAIM=claim=value`, e.g.
 * `groups=plenum-organisers`. Without it every account at the provider can
 * sign in and become an organiser.
 */
export const RequiredClaim = z
  .string()
  .regex(/^[A-Za-z0-9_.:/-]+=\S.*$/, "must look like claim=value, e.g. groups=plenum-organisers")
  .transform((s) => {
    const at = s.indexOf("=");
    return { name: s.slice(0, at), value: s.slice(at + 1) };
  });
export type RequiredClaim = z.infer<typeof RequiredClaim>;

/** The provider and what Plenum asks of the accounts it vouches for. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Only accounts whose ID token carries this claim value may sign in. */
  requiredClaim?: RequiredClaim;
}

/**
 * Whether the ID token's claims meet the requirement: the claim equals the
 * value, or is a list (as `groups` usually is) that holds it.
 */
export function meetsRequiredClaim(
  claims: Record<string, unknown>,
  required: RequiredClaim | undefined,
): boolean {
  if (!required) return true;
  const claim = claims[required.name];
  const values: unknown[] = Array.isArray(claim) ? claim : [claim];
  return values.some(
    (v) =>
      (typeof v === "string" || typeof v === "number" || typeof v === "boolean") &&
      String(v) === required.value,
  );
}

/** A required claim without a provider would silently do nothing: a mistake, said at start. */
export function requiredClaimNeedsProvider(
  e: { PLENUM_OIDC_REQUIRED_CLAIM?: unknown; PLENUM_OIDC_ISSUER?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (e.PLENUM_OIDC_REQUIRED_CLAIM !== undefined && e.PLENUM_OIDC_ISSUER === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["PLENUM_OIDC_REQUIRED_CLAIM"],
      message: "needs PLENUM_OIDC_ISSUER (and its client settings)",
    });
}
