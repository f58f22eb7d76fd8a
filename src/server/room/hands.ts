/**
 * Raised hands in the order they went up. Raising twice keeps the first place;
 * lowering (or leaving) removes the person, and everyone behind moves up.
 */
export class HandQueue {
  private readonly order: string[] = [];

  /** Returns whether the queue changed. */
  set(participantId: string, raised: boolean): boolean {
    const at = this.order.indexOf(participantId);
    if (raised === at >= 0) return false;
    if (raised) this.order.push(participantId);
    else this.order.splice(at, 1);
    return true;
  }

  get queue(): string[] {
    return [...this.order];
  }
}
