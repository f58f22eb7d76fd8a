import * as client from "openid-client";
import { meetsRequiredClaim, type OidcConfig } from "../config/oidc";

export type OidcSettings = OidcConfig;

/**
 * The provider vouched for the person, but the operator's required claim
 * (PLENUM_OIDC_REQUIRED_CLAIM) is not in their ID token: they may not sign in.
 */
export class OidcNotAllowed extends Error {
  override name = "OidcNotAllowed";
}

/** What the identity provider vouched for: enough to find or create the account, nothing more. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** preferred_username, else the subject. */
  suggestion: string;
}

/** A login has this long between leaving for the provider and coming back. */
const PENDING_MS = 10 * 60 * 1000;
const MAX_PENDING = 10_000;

interface Pending {
  verifier: string;
  nonce: string;
  expiresAt: number;
}

/**
 * OpenID Connect login: authorization code flow with PKCE, state and nonce
 * (openid-client). The provider's tokens are used once to read the identity
 * and then dropped: nothing of them is stored. The provider is contacted only
 * when someone starts a login, so a server with an unreachable provider still
 * starts and serves meetings.
 */
export class OidcLogin {
  private configuration: Promise<client.Configuration> | undefined;
  /** Logins under way, by state. In memory: they are short-lived and bound to this process. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly settings: OidcSettings,
    private readonly redirectUri: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The provider's authorization URL to send the browser to, and the state to bind to it. */
  async start(): Promise<{ url: string; state: string }> {
    const config = await this.discover();
    this.prune();
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    this.pending.set(state, { verifier, nonce, expiresAt: this.now() + PENDING_MS });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: "openid profile",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * Completes a login from the callback URL. `boundState` is the state from
   * this browser's cookie: a callback that another browser started (login
   * CSRF) does not match it.
   */
  async finish(callbackUrl: URL, boundState: string | undefined): Promise<OidcIdentity> {
    const state = callbackUrl.searchParams.get("state") ?? "";
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || state !== boundState || pending.expiresAt < this.now())
      throw new Error("unknown, expired or foreign login state");
    const config = await this.discover();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error("the provider sent no ID token");
    // Checked before any account exists: someone refused leaves nothing behind (SPEC OIDC-1).
    if (!meetsRequiredClaim(claims, this.settings.requiredClaim))
      throw new OidcNotAllowed("the ID token lacks the required claim");
    const preferred = claims.preferred_username;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      suggestion: typeof preferred === "string" && preferred ? preferred : claims.sub,
    };
  }

  /** Discovery once; a failure is not cached, so the next login tries again. */
  private discover(): Promise<client.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      // Plain http is allowed by the config only for a provider on loopback (tests, development).
      const options =
        issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {};
      return client.discovery(
        issuer,
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        options,
      );
    })().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private prune(): void {
    const now = this.now();
    for (const [state, p] of this.pending) if (p.expiresAt < now) this.pending.delete(state);
    // Insertion order is age order: under a flood, the oldest logins go first.
    for (const state of this.pending.keys()) {
      if (this.pending.size < MAX_PENDING) break;
      this.pending.delete(state);
    }
  }
}
