import { isIP } from "node:net";
import { z } from "zod";

// Field schemas the settings share: addresses, lists, URLs, origins.

/** Names and addresses of this machine itself. */
export const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export const port = z.coerce.number().int().min(0).max(65535);
export const address = z.string().refine((a) => isIP(a) !== 0, "must be an IPv4 or IPv6 address");

export const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
  );
/** An address or a CIDR block, as node:net's BlockList takes them. */
export const cidr = z.string().refine((s) => {
  const [ip = "", bits, ...rest] = s.split("/");
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}, "must be an IP address or a CIDR block like 10.0.0.0/8");
/** A TURN server URI (RFC 7065): turn: or turns:, host, optional port and transport. */
export const turnUrl = z
  .string()
  .regex(
    /^turns?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/,
    "must look like turn:turn.example.org:3478?transport=udp or turns:turn.example.org:443?transport=tcp",
  );
/** host:port of an internal listener; the host must be an address, not a name. */
export const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/, "must look like 10.0.0.5:9100 or [::1]:9100")
  .transform((s) => {
    const at = s.lastIndexOf(":");
    return { host: s.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(s.slice(at + 1)) };
  })
  .refine((a) => isIP(a.host) !== 0 && a.port <= 65535, "must be an IP address and a port");
export const fact = z.string().trim().min(1).max(2000).optional();
/** An origin the browser may be allowed to reach: https, or http only on loopback. */
export const origin = z
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
