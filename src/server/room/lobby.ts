import { randomUUID } from "node:crypto";
import type { Waiter, WaiterFlag } from "../../protocol/messages";

/** A person waiting to be let in. The room learns nothing else about them. */
export interface Knock {
  readonly id: string;
  readonly name: string;
  readonly flags: WaiterFlag[];
  /** Lets them in; called once, by the room. */
  admit(): void;
  /** Turns them away; called once, by the room. */
  deny(): void;
}

/** The waiting room: who knocked, in order of arrival (SPEC LOBBY-*). */
export class Lobby {
  private readonly waiting = new Map<string, Knock>();

  add(name: string, callbacks: { admit(): void; deny(): void }, flags: WaiterFlag[] = []): Knock {
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

  names(): string[] {
    return [...this.waiting.values()].map((k) => k.name);
  }

  get size(): number {
    return this.waiting.size;
  }
}
