import { createHash, createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { Store } from "../store/store";
import type { MeetingRecord } from "./room";
import { skeleton } from "./skeleton";

/** Keyed hashes for what a kick records about the person's network. */
export interface Pseudonyms {
  /** A keyed hash of `address`, only comparable within `roomId`. */
  address(roomId: string, address: string): string;
}

/**
 * Network addresses are few (2^32 for IPv4): a plain hash could be reversed
 * by trying them all. A key kept in the data folder prevents that.
 */
export function keyedPseudonyms(key: Buffer): Pseudonyms {
  return {
    address: (roomId, address) =>
      createHmac("sha256", key)
        .update(`plenum-kick-address-v1.${roomId}.${address}`)
        .digest("base64url")
        .slice(0, 22),
  };
}

/** The browser session's id is 128 random bits: a plain hash cannot be reversed. */
export function clientHash(clientId: string): string {
  return createHash("sha256").update(`plenum-client.${clientId}`).digest("base64url").slice(0, 22);
}

/** A digest of the password hash (or its absence), to notice that it changed. */
export function passwordMark(passwordHash: string | null): string {
  return createHash("sha256")
    .update(passwordHash ?? "-")
    .digest("base64url")
    .slice(0, 16);
}

/**
 * The store's side of a meeting (SPEC RES-1): writes in the order they
 * happened, one after the other, so a kick is never overtaken by an older
 * "joined". A failed write is logged; the meeting goes on.
 */
export function recordFor(
  store: Store,
  roomId: string,
  meetingId: string,
  pseudonyms: Pseudonyms,
  log: Logger,
  now: () => number,
  /** Told of every write, so that a shutdown can wait for them before closing the store. */
  track: (write: Promise<unknown>) => void,
): MeetingRecord {
  let chain: Promise<unknown> = Promise.resolve();
  const write = (what: string, work: () => Promise<unknown>) => {
    chain = chain.then(work).catch((err) => log.error({ err }, `meeting record: ${what} failed`));
    track(chain);
    return chain;
  };
  return {
    joined: (p, mark) =>
      write("joined", () =>
        store.meetings.putMember(meetingId, {
          participantId: p.id,
          role: p.role,
          name: p.name,
          state: "in",
          passwordMark: mark,
        }),
      ),
    role: (p) => write("role", () => store.meetings.setMember(meetingId, p.id, { role: p.role })),
    left: (id, state) => write("left", () => store.meetings.setMember(meetingId, id, { state })),
    kicked: (p, until) =>
      write("kick", () =>
        store.meetings.addKick({
          roomId,
          meetingId,
          at: now(),
          until,
          clientHash: clientHash(p.clientId),
          addressHash: p.address ? pseudonyms.address(roomId, p.address) : "-",
          nameSkeleton: skeleton(p.name),
        }),
      ),
    changed: (change) => write("change", () => store.meetings.update(meetingId, change)),
    ended: () => write("end", () => store.meetings.end(meetingId, now())),
  };
}
