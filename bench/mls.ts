import {
  acceptAll,
  type CiphersuiteName,
  type ClientState,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  joinGroup,
  type MLSMessage,
  processMessage,
} from "ts-mls";
import { suiteImpl } from "../src/client/sdk/e2ee/suite";
import { median } from "./stats";

async function keyPackage(name: string, suite: CiphersuiteName) {
  const cs = await suiteImpl(suite);
  const credential = { credentialType: "basic" as const, identity: new TextEncoder().encode(name) };
  return generateKeyPackage(credential, defaultCapabilities(), defaultLifetime, [], cs);
}

/** A group of `size` members, every one holding its own state. */
async function group(size: number, suite: CiphersuiteName): Promise<ClientState[]> {
  const cs = await suiteImpl(suite);
  const creator = await keyPackage("m0", suite);
  let first = await createGroup(
    new Uint8Array(16),
    creator.publicPackage,
    creator.privatePackage,
    [],
    cs,
  );
  const others = await Promise.all(
    Array.from({ length: size - 1 }, (_, i) => keyPackage(`m${i + 1}`, suite)),
  );
  const result = await createCommit(
    { state: first, cipherSuite: cs },
    {
      extraProposals: others.map((kp) => ({
        proposalType: "add" as const,
        add: { keyPackage: kp.publicPackage },
      })),
      ratchetTreeExtension: true,
    },
  );
  first = result.newState;
  const states = [first];
  for (const kp of others) {
    if (!result.welcome) throw new Error("no welcome");
    states.push(
      await joinGroup(result.welcome, kp.publicPackage, kp.privatePackage, emptyPskIndex, cs),
    );
  }
  return states;
}

export interface MembershipFigures {
  size: number;
  suite: string;
  /** The committer creates the commit and Welcome. */
  commitMs: number;
  /** One existing member processes the commit (median over members). */
  processMs: number;
  /** Slowest member processing the commit. */
  processMaxMs: number;
  /** The joiner processes the Welcome. */
  welcomeMs: number;
  /** Commit, then members and joiner in parallel (each on its own device): the change's latency. */
  changeMs: number;
  welcomeBytes: number;
}

/** One Add to a group of `size` (the joiner is the size+1-th), repeated; medians. */
export async function membershipChange(
  size: number,
  suite: CiphersuiteName,
  rounds: number,
): Promise<MembershipFigures> {
  const cs = await suiteImpl(suite);
  const states = await group(size, suite);
  const runs: MembershipFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    const joiner = await keyPackage(`j${r}`, suite);
    const t0 = performance.now();
    const result = await createCommit(
      { state: states[0] as ClientState, cipherSuite: cs },
      {
        extraProposals: [{ proposalType: "add", add: { keyPackage: joiner.publicPackage } }],
        ratchetTreeExtension: true,
      },
    );
    const commitMs = performance.now() - t0;
    const processTimes: number[] = [];
    for (let i = 1; i < states.length; i++) {
      const t = performance.now();
      await processMessage(
        result.commit as MLSMessage & { wireformat: "mls_private_message" },
        states[i] as ClientState,
        emptyPskIndex,
        acceptAll,
        cs,
      );
      processTimes.push(performance.now() - t);
    }
    const tw = performance.now();
    if (!result.welcome) throw new Error("no welcome");
    await joinGroup(result.welcome, joiner.publicPackage, joiner.privatePackage, emptyPskIndex, cs);
    const welcomeMs = performance.now() - tw;
    const { encodeMlsMessage } = await import("ts-mls");
    const welcomeBytes = encodeMlsMessage({
      welcome: result.welcome,
      wireformat: "mls_welcome",
      version: "mls10",
    }).length;
    const processMaxMs = Math.max(...processTimes);
    runs.push({
      size,
      suite,
      commitMs,
      processMs: median(processTimes),
      processMaxMs,
      welcomeMs,
      changeMs: commitMs + Math.max(processMaxMs, welcomeMs),
      welcomeBytes,
    });
  }
  const pick = (k: keyof MembershipFigures) => median(runs.map((x) => x[k] as number));
  return {
    size,
    suite,
    commitMs: pick("commitMs"),
    processMs: pick("processMs"),
    processMaxMs: pick("processMaxMs"),
    welcomeMs: pick("welcomeMs"),
    changeMs: pick("changeMs"),
    welcomeBytes: pick("welcomeBytes"),
  };
}
