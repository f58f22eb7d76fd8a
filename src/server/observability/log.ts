import { isIP } from "node:net";
import pino, { type Logger } from "pino";

/**
 * Logs hold no full IP address, no names and no chat (COMPLIANCE T7). This
 * module is the only way the server logs, and it offers nothing that would
 * print a request line, a header or a message body.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Even if someone logs a request by mistake, these never reach the output.
      redact: {
        paths: [
          "req.headers",
          "req.remoteAddress",
          "name",
          "displayName",
          "text",
          "username",
          "password",
          "token",
        ],
        remove: true,
      },
    },
    destination,
  );
}

/**
 * Truncates an address to its network part: IPv4 to /24, IPv6 to /48. Enough
 * to see a misbehaving network, not enough to name a household.
 */
export function truncateIp(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(mapped) === 4) return mapped.replace(/\.\d+$/, ".0");
  if (isIP(mapped) === 6) {
    const groups = expandIpv6(mapped).slice(0, 3);
    return `${groups.join(":")}::`;
  }
  return "unknown";
}

/**
 * Truncates every IP address inside a free text (an error message from a
 * library, say) as `truncateIp` does, so that it may be logged.
 */
export function scrubAddresses(text: string): string {
  return text.replace(
    /(?:::ffff:)?\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}/gi,
    (m) => (isIP(m) === 0 ? m : truncateIp(m)),
  );
}

function expandIpv6(address: string): string[] {
  const [head = "", tail = ""] = address.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const zeros = address.includes("::") ? Array(8 - h.length - t.length).fill("0") : [];
  return [...h, ...zeros, ...t];
}

/** A room id is the key to the room: logs carry only a prefix too short to use. */
export function roomTag(roomId: string): string {
  return roomId.slice(0, 6);
}

export type { Logger };
