import { randomUUID } from "node:crypto";
import type { Denial, Waiter, WaiterFlag } from "../../protocol/messages";

/** What the room can do to a waiting person's connection. */
export interface KnockCallbacks {
  /** Lets them in; called once, by the room. */
  admit(): void;
  /** Turns them away, with a moderator's reason if given; called once, by the room. */
  deny(denial?: Denial): void;
  /** Passes on a moderator's message to the lobby (SPEC LOBBY-4). */
  tell(text: string, at: number): void;
}

/** A person waiting to be let in. The room learns nothing else about them. */
export interface Knock extends KnockCallbacks {
  readonly id: string;
  readonly name: string;
  readonly flags: WaiterFlag[];
}

/** The waiting room: who knocked, in order of arrival (SPEC LOBBY-*). */
export class Lobby {
  private readonly waiting = new Map<string, Knock>();

  add(name: string, callbacks: KnockCallbacks, flags: WaiterFlag[] = []): Knock {
    const knock: Knock = { id: randomUUID(), name, flags, ...callbacks };
    this.waiting.set(knock.id, knock);
    return knock;
  }

  /** Removes and returns the knock; undefined if it is no longer waiting. */
  take(id: string): Knock | undefined {
    const knock = this.waiting.get(id);
    this.waiting.delete(id);
    return knock;
  }

  /** Returns a knock taken with `takeAll` to the end of the line (in its order). */
  putBack(knock: Knock): void {
    this.waiting.set(knock.id, knock);
  }

  takeAll(): Knock[] {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    return all;
  }

  /** What moderators see: names in order and what the server noticed, nothing more. */
  list(): Waiter[] {
    return [...this.waiting.values()].map((k) => ({
      id: k.id,
      name: k.name,
      ...(k.flags.length > 0 ? { flags: [...k.flags] } : {}),
    }));
  }

  /** Tells everyone waiting now; returns how many that is. Kept nowhere. */
  tell(text: string, at: number): number {
    for (const knock of this.waiting.values()) knock.tell(text, at);
    return this.waiting.size;
  }

  names(): string[] {
    return [...this.waiting.values()].map((k) => k.name);
  }

  get size(): number {
    return this.waiting.size;
  }
}
