import type { ExpressionBuilder, Kysely } from "kysely";
import type { Database } from "./schema";

export type MemberState = "in" | "left" | "kicked";

export interface StoredMeeting {
  id: string;
  roomId: string;
  startedAt: number;
  aliveAt: number;
  endedAt: number | null;
  locked: boolean;
  /** The lobby as set during the meeting; undefined: the room's default. */
  lobby: boolean | undefined;
}

export interface StoredMember {
  participantId: string;
  role: string;
  name: string;
  state: MemberState;
  passwordMark: string;
}

export interface StoredKick {
  roomId: string;
  meetingId: string;
  at: number;
  /** ms since 1970; null: for the rest of the meeting. */
  until: number | null;
  clientHash: string;
  addressHash: string;
  nameSkeleton: string;
}

/**
 * Meetings, their members and kicks: the revocations that must outlive a
 * process and a node (SPEC RES-2, KICK-1).
 */
export class MeetingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async start(meeting: { id: string; roomId: string; at: number }): Promise<void> {
    await this.db
      .insertInto("meetings")
      .values({
        id: meeting.id,
        room_id: meeting.roomId,
        started_at: meeting.at,
        alive_at: meeting.at,
        ended_at: null,
        lobby: null,
      })
      .execute();
  }

  /** The room's meeting that has not ended, if any (the newest). */
  async current(roomId: string): Promise<StoredMeeting | undefined> {
    const row = await this.db
      .selectFrom("meetings")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("ended_at", "is", null)
      .orderBy("seq", "desc")
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      roomId: row.room_id,
      startedAt: Number(row.started_at),
      aliveAt: Number(row.alive_at),
      endedAt: row.ended_at === null ? null : Number(row.ended_at),
      locked: row.locked === 1,
      lobby: row.lobby === null ? undefined : row.lobby === 1,
    };
  }

  async update(id: string, change: { locked?: boolean; lobby?: boolean }): Promise<void> {
    await this.db
      .updateTable("meetings")
      .set({
        ...(change.locked !== undefined ? { locked: change.locked ? 1 : 0 } : {}),
        ...(change.lobby !== undefined ? { lobby: change.lobby ? 1 : 0 } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  async end(id: string, at: number): Promise<void> {
    await this.db
      .updateTable("meetings")
      .set({ ended_at: at })
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .execute();
  }

  /** Marks meetings held open by this process as alive (a heartbeat). */
  async alive(ids: string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable("meetings").set({ alive_at: at }).where("id", "in", ids).execute();
  }

  async putMember(meetingId: string, member: StoredMember): Promise<void> {
    const values = {
      role: member.role,
      name: member.name,
      state: member.state,
      password_mark: member.passwordMark,
    };
    await this.db
      .insertInto("meeting_members")
      .values({ meeting_id: meetingId, participant_id: member.participantId, ...values })
      .onConflict((c) => c.columns(["meeting_id", "participant_id"]).doUpdateSet(values))
      .execute();
  }

  async setMember(
    meetingId: string,
    participantId: string,
    change: { role?: string; state?: MemberState },
  ): Promise<void> {
    await this.db
      .updateTable("meeting_members")
      .set({
        ...(change.role !== undefined ? { role: change.role } : {}),
        ...(change.state !== undefined ? { state: change.state } : {}),
      })
      .where("meeting_id", "=", meetingId)
      .where("participant_id", "=", participantId)
      .execute();
  }

  async member(meetingId: string, participantId: string): Promise<StoredMember | undefined> {
    const row = await this.db
      .selectFrom("meeting_members")
      .selectAll()
      .where("meeting_id", "=", meetingId)
      .where("participant_id", "=", participantId)
      .executeTakeFirst();
    return (
      row && {
        participantId: row.participant_id,
        role: row.role,
        name: row.name,
        state: row.state as MemberState,
        passwordMark: row.password_mark,
      }
    );
  }

  async addKick(kick: StoredKick): Promise<void> {
    await this.db
      .insertInto("kicks")
      .values({
        room_id: kick.roomId,
        meeting_id: kick.meetingId,
        at: kick.at,
        until: kick.until,
        client_hash: kick.clientHash,
        address_hash: kick.addressHash,
        name_skeleton: kick.nameSkeleton,
      })
      .execute();
  }

  /** Kicks in force in `roomId`: those of meeting `meetingId`, and longer ones not yet over. */
  async kicks(roomId: string, meetingId: string, now: number): Promise<StoredKick[]> {
    const rows = await this.db
      .selectFrom("kicks")
      .selectAll()
      .where("room_id", "=", roomId)
      .where((eb) =>
        eb.or([
          eb.and([eb("until", "is", null), eb("meeting_id", "=", meetingId)]),
          eb("until", ">", now),
        ]),
      )
      .execute();
    return rows.map((r) => ({
      roomId: r.room_id,
      meetingId: r.meeting_id,
      at: Number(r.at),
      until: r.until === null ? null : Number(r.until),
      clientHash: r.client_hash,
      addressHash: r.address_hash,
      nameSkeleton: r.name_skeleton,
    }));
  }

  /**
   * Retention: ended meetings go with their members at once (nothing about
   * them is needed any more), and so do meetings quiet since `quietBefore`
   * (their process died and nobody came back); kicks go once over, a
   * meeting-long one with its meeting. Returns how many rows went.
   */
  async deleteExpired(quietBefore: number, now: number): Promise<number> {
    const over = (eb: ExpressionBuilder<Database, "meetings">) =>
      eb.or([eb("ended_at", "is not", null), eb("alive_at", "<", quietBefore)]);
    const members = await this.db
      .deleteFrom("meeting_members")
      .where("meeting_id", "in", this.db.selectFrom("meetings").select("id").where(over))
      .executeTakeFirst();
    const meetings = await this.db.deleteFrom("meetings").where(over).executeTakeFirst();
    const kicks = await this.db
      .deleteFrom("kicks")
      .where((eb) =>
        eb.or([
          eb("until", "<=", now),
          eb.and([
            eb("until", "is", null),
            eb("meeting_id", "not in", this.db.selectFrom("meetings").select("id")),
          ]),
        ]),
      )
      .executeTakeFirst();
    return (
      Number(members.numDeletedRows) +
      Number(meetings.numDeletedRows) +
      Number(kicks.numDeletedRows)
    );
  }

  /** When a room is deleted. */
  async deleteRoom(roomId: string): Promise<void> {
    const ids = this.db.selectFrom("meetings").select("id").where("room_id", "=", roomId);
    await this.db.deleteFrom("meeting_members").where("meeting_id", "in", ids).execute();
    await this.db.deleteFrom("meetings").where("room_id", "=", roomId).execute();
    await this.db.deleteFrom("kicks").where("room_id", "=", roomId).execute();
  }
}
