import type { ChatMessage } from "./meeting-types";

/**
 * This meeting's chat as this browser received it since joining: the only
 * copy anywhere (the server relays and forgets). A new array on every
 * message, so UI snapshots compare by reference.
 */
export class ChatLog {
  private list: ChatMessage[] = [];
  private seq = 0;

  get messages(): ChatMessage[] {
    return this.list;
  }

  add(message: { from: string; name: string; text: string; at: number }, own: boolean): void {
    const { from, name, text, at } = message;
    this.list = [...this.list, { from, name, text, at, seq: this.seq++, own }];
  }

  clear(): void {
    this.list = [];
  }
}
