import type { Finding } from "../criteria";
import type { ComplianceFacts } from "../facts";

/**
 * T4, who may create rooms (SPEC LIMIT-2). With `anyone`, whoever reaches the
 * server can open meetings on it at the operator's cost and under the
 * operator's name; that is right for an instance on one's own computer, and a
 * decision to take consciously anywhere else (Jitsi's "secure domain" is the
 * same choice).
 */
export function roomCreationFinding(f: ComplianceFacts): Finding {
  const evidence = [
    `PLENUM_ROOM_CREATION=${f.defaults.roomCreation}`,
    `public URL: ${f.publicUrl}`,
  ];
  if (f.defaults.roomCreation === "organisers")
    return {
      id: "T4",
      status: "green",
      reason: "only signed-in organisers can create rooms; guests join by link",
      evidence,
    };
  if (isLoopback(f.publicUrl))
    return {
      id: "T4",
      status: "green",
      reason: "anyone can create rooms, but the server is reachable from this computer only",
      evidence,
    };
  return {
    id: "T4",
    status: "yellow",
    reason:
      "anyone who reaches the server can create rooms without signing in (PLENUM_ROOM_CREATION=anyone); set PLENUM_ROOM_CREATION=organisers unless that is intended",
    evidence,
  };
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
