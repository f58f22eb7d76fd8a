import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/** Decides whether a TCP peer is one of the operator's reverse proxies. */
export type TrustProxy = (address: string) => boolean;

/**
 * From PLENUM_TRUSTED_PROXIES: addresses and CIDR blocks. An empty list trusts
 * nobody, so a client cannot pick its own address with X-Forwarded-For and
 * slip past the per-address limits.
 */
export function trustProxies(entries: readonly string[]): TrustProxy {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [ip = "", bits] = entry.split("/");
    const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(bits), family);
  }
  return (address) => {
    const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The client's address: the TCP peer, unless that is a trusted proxy; then the
 * X-Forwarded-For entries are walked from the right (the nearest hop) past
 * every trusted proxy, and the first untrusted one is the client — the same
 * rule Fastify's `trustProxy` applies to `request.ip`.
 */
export function clientAddress(request: IncomingMessage, trusted: TrustProxy): string {
  let address = request.socket.remoteAddress ?? "";
  if (!trusted(address)) return address;
  const hops = forwardedFor(request);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? "";
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!trusted(hop)) return hop;
  }
  return address;
}

/** Whether the browser's connection is HTTPS: TLS here, or X-Forwarded-Proto from a trusted proxy. */
export function clientProtocol(request: IncomingMessage, trusted: TrustProxy): "http" | "https" {
  if ((request.socket as { encrypted?: boolean }).encrypted) return "https";
  if (!trusted(request.socket.remoteAddress ?? "")) return "http";
  const header = request.headers["x-forwarded-proto"];
  const first = (Array.isArray(header) ? header[0] : header)?.split(",")[0]?.trim().toLowerCase();
  return first === "https" ? "https" : "http";
}

function forwardedFor(request: IncomingMessage): string[] {
  const header = request.headers["x-forwarded-for"];
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
