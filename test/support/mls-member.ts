import { type CommitRequest, E2eeGroup, type EpochInfo } from "../../src/client/sdk/e2ee/group";
import { DEFAULT_SUITE, POST_QUANTUM_SUITE } from "../../src/client/sdk/e2ee/suite";
import { sendCommit } from "../../src/client/sdk/e2ee/upload";
import type { ServerEvent } from "../../src/protocol/messages";
import { RequestError, SignallingClient } from "./signalling-client";

export type MlsEvent = Extract<ServerEvent, { type: `mls-${string}` }>;

export interface MlsMemberOptions {
  postQuantum?: boolean;
  /**
   * Sees every MLS event first; returning true keeps it from the group (a test
   * playing a hostile member holds back its `mls-pending` to answer it its own way).
   */
  intercept?: (event: MlsEvent) => boolean;
  /** Changes this member's commit submissions before they are sent (a hostile member). */
  tamper?: (submission: CommitRequest) => CommitRequest;
}

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
  /** The delivery service's refusals of this member's commits, by code. */
  readonly refused: string[] = [];
  private constructor(
    readonly signalling: SignallingClient,
    readonly id: string,
    present: string[],
    options: MlsMemberOptions,
  ) {
    this.present = new Set([id, ...present]);
    this.group = new E2eeGroup(
      id,
      {
        offerKeyPackage: (keyPackage) =>
          signalling.request({ type: "mls-key-package", keyPackage }),
        commit: async (submission) => {
          try {
            await sendCommit(
              {
                upload: (field, data) => signalling.request({ type: "mls-upload", field, data }),
                commit: (request) => signalling.request({ type: "mls-commit", ...request }),
              },
              options.tamper ? options.tamper(submission) : submission,
            );
            return "ok";
          } catch (error) {
            if (error instanceof RequestError && error.code === "mls-stale") return "stale";
            if (error instanceof RequestError) this.refused.push(error.code);
            throw error;
          }
        },
      },
      (other) => this.present.has(other),
      options.postQuantum ? POST_QUANTUM_SUITE : DEFAULT_SUITE,
    );
    this.group.events.on("epoch", (info) => {
      this.last = info;
    });
    signalling.onMessage((m) => {
      if (m.type === "participant-joined") this.present.add(m.participant.id);
      else if (m.type === "participant-left") this.present.delete(m.participantId);
      else if (m.type === "mls-chat") this.chats.push(m);
      else if (m.type.startsWith("mls-") && !options.intercept?.(m as MlsEvent))
        void this.group.handle(m as MlsEvent).catch(() => undefined);
    });
  }

  static async join(
    baseUrl: string,
    roomId: string,
    name: string,
    options: MlsMemberOptions = {},
  ): Promise<MlsMember> {
    const signalling = await SignallingClient.greeted(baseUrl);
    const joined = await signalling.request({ type: "join", roomId, name });
    if (joined.status !== "joined") throw new Error(`${name} was sent to the lobby`);
    const member = new MlsMember(
      signalling,
      joined.self.id,
      joined.participants.map((p) => p.id),
      options,
    );
    await member.group.start();
    return member;
  }

  close(): Promise<void> {
    return this.signalling.close();
  }
}
