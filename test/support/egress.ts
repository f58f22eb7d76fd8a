import { isIP } from "node:net";

/**
 * Reading an strace log of connect/sendto/sendmsg/sendmmsg calls: every
 * socket address a process tried to reach, and whether that stays on this
 * machine. Failed calls count too: a try is what would leak on a machine
 * with a route out.
 */
export interface Destination {
  family: string;
  /** IP address (AF_INET/AF_INET6) or socket path (AF_UNIX). */
  address?: string;
  port?: number;
  /** The strace line it came from, to show in a failure. */
  line: string;
}

/** One socket address as strace prints it: `{sa_family=AF_INET, sin_port=htons(53), ...}`. */
const SOCKADDR = /\{sa_family=(AF_\w+)((?:[^{}]|\{[^{}]*\})*)\}/g;

export function destinationsIn(log: string): Destination[] {
  const found: Destination[] = [];
  for (const line of log.split("\n")) {
    if (!/\b(connect|sendto|sendmsg|sendmmsg)\(/.test(line)) continue;
    for (const [, family = "", fields = ""] of line.matchAll(SOCKADDR)) {
      const port = /sin6?_port=htons\((\d+)\)/.exec(fields)?.[1];
      const address =
        /inet_addr\("([^"]+)"\)/.exec(fields)?.[1] ??
        /inet_pton\(AF_INET6, "([^"]+)"/.exec(fields)?.[1] ??
        /sun_path=@?"([^"]*)"/.exec(fields)?.[1];
      found.push({ family, address, port: port === undefined ? undefined : Number(port), line });
    }
  }
  return found;
}

/** Local sockets through which a C library resolves names (and so would ask a DNS server). */
const RESOLVER_SOCKETS = /nscd|systemd\/resolve|avahi-daemon/;

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  return address === "::1";
}

/** Why `d` leaves the machine or reveals a name lookup; undefined when it is fine. */
export function problemWith(d: Destination): string | undefined {
  if (d.port === 53) return `a DNS query to ${d.address}`;
  switch (d.family) {
    case "AF_INET":
    case "AF_INET6":
      return isLoopback(d.address) ? undefined : `traffic to ${d.address}:${d.port}`;
    case "AF_UNIX":
      return RESOLVER_SOCKETS.test(d.address ?? "") ? `a name lookup via ${d.address}` : undefined;
    // The kernel's own channels: interface lists (netlink), un-connecting a UDP socket.
    case "AF_NETLINK":
    case "AF_UNSPEC":
      return undefined;
    default:
      return `a ${d.family} socket`;
  }
}
