import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Starts answering, with the client's redirect URI. Separate from starting,
   * because Plenum needs the issuer to start and its own port is known only then.
   */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on an ephemeral loopback
 * port, with one confidential client registered for Plenum and its
 * development login and consent pages (any login name, any password). The
 * account's preferred_username is the login name with a capital first letter,
 * so tests see the server normalise it; `groups` holds "plenum-organisers" for
 * every login except those starting "outsider".
 */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  let handler: ((req: never, res: never) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req as never, res as never);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "plenum";
  const clientSecret = "a client secret long enough for HS256 in tests";
  return {
    issuer,
    clientId,
    clientSecret,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ["authorization_code"],
            response_types: ["code"],
          },
        ],
        claims: { openid: ["sub"], profile: ["preferred_username", "groups"] },
        // Put the claims into the ID token: Plenum reads the identity from it and calls no userinfo.
        conformIdTokenClaims: false,
        findAccount: async (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: async () => ({
            sub,
            preferred_username: sub.charAt(0).toUpperCase() + sub.slice(1),
            // For PLENUM_OIDC_REQUIRED_CLAIM: logins starting "outsider" are not in the group.
            groups: sub.startsWith("outsider") ? ["students"] : ["staff", "plenum-organisers"],
          }),
        }),
        cookies: { keys: ["test cookie signing key"] },
        features: { devInteractions: { enabled: true } },
      });
      handler = provider.callback() as never;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
