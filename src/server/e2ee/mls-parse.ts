import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  decodeMlsMessage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type KeyPackage,
  type MLSMessage,
} from "ts-mls";
import { encodeKeyPackage, verifyKeyPackage } from "ts-mls/keyPackage.js";
import type { ErrorCode } from "../../protocol/errors";

/**
 * What the delivery service reads of the MLS messages it relays: public parts
 * only (wire format, version, cipher suite, credential identity, epoch, the
 * proposals of a commit). It never holds or derives a group secret. This lets
 * it refuse what would make honest members fail (docs/E2EE.md, "Against an
 * active server") instead of relaying it to everyone.
 */

/** A refusal with a catalogued code and a detail for the developer. */
export class MlsRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    detail: string,
  ) {
    super(detail);
  }
}

const decoder = new TextDecoder();

function decode(base64: string): MLSMessage {
  let message: MLSMessage | undefined;
  try {
    const bytes = Buffer.from(base64, "base64");
    const decoded = decodeMlsMessage(bytes, 0);
    // Trailing bytes would be relayed unread: refuse them like any other garbage.
    if (decoded && decoded[1] === bytes.length) message = decoded[0];
  } catch {
    message = undefined;
  }
  if (!message) throw new MlsRefusal("mls-malformed", "not an MLS message");
  if (message.version !== "mls10") throw new MlsRefusal("mls-malformed", "not MLS 1.0");
  return message;
}

const suites = new Map<CiphersuiteName, Promise<CiphersuiteImpl>>();
function suiteImpl(name: CiphersuiteName): Promise<CiphersuiteImpl> {
  let impl = suites.get(name);
  if (!impl) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(name));
    suites.set(name, impl);
  }
  return impl;
}

/** A KeyPackage as the server checked it: its bytes, for comparing with a commit's Add. */
export interface CheckedKeyPackage {
  encoded: string;
}

/**
 * A KeyPackage is accepted only if it parses, uses the room's suite, carries a
 * basic credential naming its sender (the session's participant id) and is
 * signed by the key in its own leaf (RFC 9420, section 10.1), so that the
 * committer can add it without failing.
 */
export async function checkKeyPackage(
  base64: string,
  senderId: string,
  suite: CiphersuiteName,
): Promise<CheckedKeyPackage> {
  const message = decode(base64);
  if (message.wireformat !== "mls_key_package")
    throw new MlsRefusal("mls-malformed", "expected a KeyPackage");
  const kp: KeyPackage = message.keyPackage;
  if (kp.version !== "mls10" || kp.cipherSuite !== suite)
    throw new MlsRefusal("mls-malformed", `KeyPackage not for ${suite}`);
  const credential = kp.leafNode.credential;
  if (credential.credentialType !== "basic" || decoder.decode(credential.identity) !== senderId)
    throw new MlsRefusal("mls-identity", "the credential does not name the sender");
  const cs = await suiteImpl(suite);
  const valid = await verifyKeyPackage(kp, cs.signature).catch(() => false);
  if (!valid) throw new MlsRefusal("mls-malformed", "KeyPackage signature does not verify");
  return { encoded: keyPackageBytes(kp) };
}

/** The public content of a commit, as far as the delivery service checks it. */
export interface ParsedCommit {
  groupId: string;
  epoch: number;
  senderLeaf: number;
  /** KeyPackages added, as `CheckedKeyPackage.encoded`, in order. */
  adds: string[];
  /** Leaf indexes removed. */
  removes: number[];
  hasPath: boolean;
}

/**
 * Commits travel as PublicMessages (RFC 9420, section 6.2) so that the
 * delivery service can see who commits what. Only Add and Remove proposals by
 * value are allowed: nothing in Plenum sends any other kind, and a reference
 * would point at a proposal the server never saw.
 */
export function parseCommit(base64: string): ParsedCommit {
  const message = decode(base64);
  if (message.wireformat !== "mls_public_message")
    throw new MlsRefusal("mls-malformed", "a commit must be an MLS PublicMessage");
  const { content } = message.publicMessage;
  if (content.contentType !== "commit") throw new MlsRefusal("mls-malformed", "not a commit");
  if (content.sender.senderType !== "member")
    throw new MlsRefusal("mls-malformed", "a commit must come from a member");
  const adds: string[] = [];
  const removes: number[] = [];
  for (const p of content.commit.proposals) {
    if (p.proposalOrRefType !== "proposal")
      throw new MlsRefusal("mls-malformed", "proposals by reference are not used");
    if (p.proposal.proposalType === "add") adds.push(keyPackageBytes(p.proposal.add.keyPackage));
    else if (p.proposal.proposalType === "remove") removes.push(p.proposal.remove.removed);
    else throw new MlsRefusal("mls-malformed", "only Add and Remove proposals are used");
  }
  return {
    groupId: Buffer.from(content.groupId).toString("base64"),
    epoch: Number(content.epoch),
    senderLeaf: content.sender.leafIndex,
    adds,
    removes,
    hasPath: content.commit.path !== undefined,
  };
}

/** A Welcome must parse and use the room's suite; its content is encrypted to the new members. */
export function checkWelcome(base64: string, suite: CiphersuiteName): void {
  const message = decode(base64);
  if (message.wireformat !== "mls_welcome")
    throw new MlsRefusal("mls-malformed", "expected a Welcome");
  if (message.welcome.cipherSuite !== suite)
    throw new MlsRefusal("mls-malformed", `Welcome not for ${suite}`);
}

function keyPackageBytes(kp: KeyPackage): string {
  return Buffer.from(encodeKeyPackage(kp)).toString("base64");
}
