import { E2eeGroup, type EpochInfo } from "../../src/client/sdk/e2ee/group";
import type { ServerEvent } from "../../src/protocol/messages";
import { RequestError, SignallingClient } from "./signalling-client";

type MlsEvent = Extract<ServerEvent, { type: `mls-${string}` }>;

/**
 * A protocol-level member of a meeting's MLS group, running the SDK's own group
 * code in Node: it holds real keys, so tests can check what they do and do not
 * decrypt. It sends no media.
 */
export class MlsMember {
  last: EpochInfo | undefined;
  readonly chats: Extract<ServerEvent, { type: "mls-chat" }>[] = [];
  readonly group: E2eeGroup;
  /** Who this member sees in the meeting (itself included), as the browser client tracks it. */
  readonly present: Set<string>;
  private constructor(
    readonly signalling: SignallingClient,
    readonly id: string,
    present: string[],
  ) {
    this.present = new Set([id, ...present]);
    this.group = new E2eeGroup(
      id,
      {
        offerKeyPackage: (keyPackage) =>
          signalling.request({ type: "mls-key-package", keyPackage }),
        commit: async (submission) => {
          try {
            await signalling.request({ type: "mls-commit", ...submission });
            return "ok";
          } catch (error) {
            if (error instanceof RequestError && error.code === "mls-stale") return "stale";
            throw error;
          }
        },
      },
      (other) => this.present.has(other),
    );
    this.group.events.on("epoch", (info) => {
      this.last = info;
    });
    signalling.onMessage((m) => {
      if (m.type === "participant-joined") this.present.add(m.participant.id);
      else if (m.type === "participant-left") this.present.delete(m.participantId);
      else if (m.type === "mls-chat") this.chats.push(m);
      else if (m.type.startsWith("mls-"))
        void this.group.handle(m as MlsEvent).catch(() => undefined);
    });
  }

  static async join(baseUrl: string, roomId: string, name: string): Promise<MlsMember> {
    const signalling = await SignallingClient.greeted(baseUrl);
    const joined = await signalling.request({ type: "join", roomId, name });
    if (joined.status !== "joined") throw new Error(`${name} was sent to the lobby`);
    const member = new MlsMember(
      signalling,
      joined.self.id,
      joined.participants.map((p) => p.id),
    );
    await member.group.start();
    return member;
  }

  close(): Promise<void> {
    return this.signalling.close();
  }
}
