import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { defaultCapabilities, defaultLifetime, encodeMlsMessage, generateKeyPackage } from "ts-mls";
import { toBase64 } from "../../src/client/sdk/e2ee/codec";
import type { CommitRequest } from "../../src/client/sdk/e2ee/group";
import { DEFAULT_SUITE, suiteImpl } from "../../src/client/sdk/e2ee/suite";
import type { Counters } from "../../src/client/sdk/e2ee/worker-protocol";
import { axeViolations } from "../support/axe";
import { launchChromium } from "../support/chromium";
import { type Frame, HostileServer } from "../support/hostile-ds";
import { MlsMember } from "../support/mls-member";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

const run = promisify(execFile);

/** A KeyPackage made with the real ts-mls whose credential names `identity`. */
async function keyPackage(identity: string): Promise<string> {
  const kp = await generateKeyPackage(
    { credentialType: "basic", identity: new TextEncoder().encode(identity) },
    defaultCapabilities(),
    defaultLifetime,
    [],
    await suiteImpl(DEFAULT_SUITE),
  );
  return toBase64(
    encodeMlsMessage({
      keyPackage: kp.publicPackage,
      wireformat: "mls_key_package",
      version: "mls10",
    }),
  );
}

/** Video frames decoded on a page, over all its peer connections (getStats). */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let n = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") n += s.framesDecoded ?? 0;
      });
    }
    return n;
  });
}

/** Receivers that get media, and how many of them have no decrypting transform. */
function receivers(page: Page): Promise<{ total: number; clear: number }> {
  return page.evaluate(() => {
    const found = { total: 0, clear: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      for (const t of pc.getTransceivers()) {
        if (t.currentDirection !== "recvonly" && t.currentDirection !== "sendrecv") continue;
        found.total++;
        if (!(t.receiver as { transform?: unknown }).transform) found.clear++;
      }
    }
    return found;
  });
}

function counters(page: Page): Promise<Counters | undefined> {
  return page.evaluate(() => (globalThis as { plenumE2eeCounters?: Counters }).plenumE2eeCounters);
}

/** Honest members keep working: `person` decodes more video, and decrypts it. */
async function stillDecodes(person: Person, what: string): Promise<void> {
  const frames = await framesDecoded(person.page);
  const decrypted = (await counters(person.page))?.decrypted ?? 0;
  await waitFor(
    `${what}: video still decoded`,
    async () =>
      (await framesDecoded(person.page)) > frames + 20 &&
      ((await counters(person.page))?.decrypted ?? 0) > decrypted + 20,
    { timeoutMs: 45_000 },
  );
}

const safetyNumber = (p: Person) => p.page.locator("output.safety-number").textContent();
const warningLines = (p: Person, text: string) =>
  p.page.getByRole("alert").locator("li", { hasText: text }).count();
const warning = (p: Person, text: string | RegExp) =>
  p.page.getByRole("alert").filter({ hasText: text });

/** The names in the person's encryption-group list. */
async function groupMembers(person: Person): Promise<string[]> {
  const details = person.page.locator("details.e2ee-details");
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open)))
    await details.locator("summary").click();
  const names = await details.locator(".e2ee-members .name").allTextContents();
  return names.map((n) => n.trim()).sort();
}

/** Opens the chat panel (unless open): messages are shown there. */
async function openChat(person: Person) {
  const box = person.page.getByLabel(person.words.message);
  if (!(await box.isVisible()))
    await person.page.getByRole("button", { name: person.words.chat }).click();
  return box;
}

async function sendChat(person: Person, text: string): Promise<void> {
  const box = await openChat(person);
  await box.fill(text);
  await person.page.getByRole("button", { name: person.words.send }).click();
}

describe("end-to-end encryption against a hostile delivery service", () => {
  let server: ServerProcess;
  let browser: Browser;
  let roomUrl: string;
  let roomId: string;
  let ada: Person;
  let ben: Person;
  let adaRig: HostileServer;
  let benRig: HostileServer;
  let max: MlsMember | undefined;
  /** A member who commits without being asked (the hostile member of DS-3). */
  let mal: MlsMember | undefined;
  let malCommits: CommitRequest[] = [];
  const others: { close(): Promise<void> }[] = [];

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const room = await createRoom(server.url, { lobby: false });
    roomId = room.id;
    // The link commits to encryption, as the organiser's UI shares it.
    roomUrl = `${room.url}#e2ee=1`;
    ada = await newPerson(browser, "en-US");
    adaRig = await HostileServer.on(ada.page);
    await join(ada, roomUrl, "Ada", { cam: true });
    ben = await newPerson(browser, "en-US");
    benRig = await HostileServer.on(ben.page);
    await join(ben, roomUrl, "Ben", { cam: true });
    await waitFor("Ada and Ben to share a safety number", async () => {
      const [a, b] = [await safetyNumber(ada), await safetyNumber(ben)];
      return a && a === b && (await groupMembers(ben)).length === 2;
    });
  });

  after(async () => {
    for (const o of others) await o.close();
    await max?.close();
    await mal?.close();
    await browser?.close();
    await server?.close();
  });

  it("E2EE-MEMBERS-1, E2EE-MEMBERS-4: ghost, duplicate, foreign and malformed KeyPackages are skipped and shown; the real joiner is added", async () => {
    const benId = benRig.selfId() as string;
    const ghost = await keyPackage("ghost-participant");
    const twin = await keyPackage(benId);
    const foreign = await keyPackage("someone-else");
    // Ada commits (she came first): the server slips bad KeyPackages in beside Max's real one.
    adaRig.rewriting((frame) => {
      const add = frame.add as { participantId: string; keyPackage: string }[] | undefined;
      if (frame.type !== "mls-pending" || !add?.length) return [frame];
      const maxId = add[0]?.participantId as string;
      return [
        {
          ...frame,
          add: [
            ...add,
            { participantId: "ghost-participant", keyPackage: ghost },
            { participantId: benId, keyPackage: twin },
            { participantId: maxId, keyPackage: foreign },
            { participantId: maxId, keyPackage: "AAAA" },
          ],
        },
      ];
    });
    max = await MlsMember.join(server.url, roomId, "Max");
    await waitFor("Max to be in the group", () => max?.last !== undefined);
    adaRig.honest();
    await warning(ada, "asked to add Ben with an invalid key").waitFor();
    await warning(ada, "asked to add ? with an invalid key").waitFor();
    assert.equal(await warning(ada, "asked to add Max with an invalid key").count(), 1);
    assert.equal(
      await ada.page.getByRole("alert").locator("li").count(),
      4,
      "one warning per bad KeyPackage",
    );
    await waitFor("both to list exactly Ada, Ben and Max", async () => {
      const want = ["Ada (you)", "Ben", "Max"].join();
      return (
        (await groupMembers(ada)).join() === want &&
        (await groupMembers(ben)).join() === ["Ada", "Ben (you)", "Max"].join()
      );
    });
    assert.equal(await warning(ben, "cannot see").count(), 0);
    assert.equal(await safetyNumber(ada), await safetyNumber(ben));
    await stillDecodes(ben, "Ben after the bad KeyPackages");
  });

  it("E2EE-MEMBERS-3: a second mls-create is refused; keys and safety number stay", async () => {
    const before = await safetyNumber(ben);
    benRig.inject({ type: "mls-create" });
    await warning(ben, "second encrypted group").waitFor();
    assert.equal(await safetyNumber(ben), before);
    assert.equal(await safetyNumber(ada), before);
    // Having compared the unchanged number aloud, Ben marks it (by keyboard).
    const mark = ben.page.getByRole("button", { name: "We compared the safety number" });
    await mark.focus();
    await ben.page.keyboard.press("Enter");
    await ben.page.locator(".e2ee-state .compared").getByText("Compared").waitFor();
    await stillDecodes(ben, "Ben after the second mls-create");
  });

  it("E2EE-DOWNGRADE-1: room-updated e2ee:false is refused; chat stays encrypted", async () => {
    benRig.inject({
      type: "room-updated",
      locked: false,
      settings: {
        lobby: false,
        chat: true,
        e2ee: false,
        postQuantum: false,
        password: false,
        multipleScreenShares: false,
      },
    });
    await warning(ben, "tried to change this meeting's encryption").waitFor();
    await ben.page.getByText("End-to-end encrypted", { exact: true }).first().waitFor();
    const text = "still secret after the downgrade attempt";
    await sendChat(ben, text);
    await openChat(ada);
    await ada.page.getByText(text).waitFor();
    const sent = benRig.fromClient.filter((f) => f.type === "chat" || f.type === "mls-chat");
    assert.ok(sent.length > 0 && sent.every((f) => f.type === "mls-chat"));
    assert.ok(!JSON.stringify(benRig.fromClient).includes(text), "the text never left in clear");
  });

  it("E2EE-CHAT-1: a chat whose server sender differs from its MLS sender is dropped and shown; plain chat is dropped", async () => {
    const maxId = max?.id as string;
    benRig.rewriting((frame: Frame) =>
      frame.type === "mls-chat" ? [{ ...frame, from: maxId }] : [frame],
    );
    await sendChat(ada, "who really sent this");
    await warning(ben, "claiming to be from Max was really sent by Ada").waitFor();
    benRig.honest();
    benRig.inject({
      type: "chat",
      from: adaRig.selfId() as string,
      name: "Ada",
      text: "plain text from the server",
      at: Date.now(),
    });
    await warning(ben, "unencrypted chat message").waitFor();
    await sendChat(ada, "the genuine one");
    await ben.page.getByText("the genuine one").waitFor();
    assert.equal(await ben.page.getByText("who really sent this").count(), 0);
    assert.equal(await ben.page.getByText("plain text from the server").count(), 0);
  });

  it("E2EE-MEMBERS-6: a committer asked to remove a present member refuses that Remove and shows it; the rest of the request goes through", async () => {
    const benId = benRig.selfId() as string;
    // The server asks Ada to add Mal, as it should, and to remove Ben, who is still here.
    adaRig.rewriting((frame) => {
      const add = frame.add as unknown[] | undefined;
      return frame.type === "mls-pending" && add?.length
        ? [{ ...frame, remove: [benId] }]
        : [frame];
    });
    const captured: CommitRequest[] = [];
    mal = await MlsMember.join(server.url, roomId, "Mal", {
      tamper: (submission) => {
        captured.push(submission);
        return submission;
      },
    });
    await waitFor("Mal to be in the group", () => mal?.last !== undefined);
    adaRig.honest();
    await warning(ada, "would have removed Ben, who is still in the meeting").waitFor();
    await waitFor("both to list Ada, Ben, Mal and Max", async () => {
      const want = ["Ada (you)", "Ben", "Mal", "Max"].join();
      return (
        (await groupMembers(ada)).join() === want &&
        (await groupMembers(ben)).join() === ["Ada", "Ben (you)", "Mal", "Max"].join()
      );
    });
    assert.equal(await safetyNumber(ada), await safetyNumber(ben));
    await stillDecodes(ada, "Ada after the refused Remove");
    malCommits = captured;
  });

  it("DS-3, E2EE-MEMBERS-6: a commit by a member the server did not ask, removing a present member, is refused by the server and by every client; media goes on", async () => {
    const m = mal as MlsMember;
    const benId = benRig.selfId() as string;
    const [adaBefore, benBefore] = [await safetyNumber(ada), await safetyNumber(ben)];
    // Mal, a member nobody asked to commit, removes Ben (Mal's own client believes he left).
    m.present.delete(benId);
    const epoch = m.group.epoch as number;
    await m.group
      .handle({ type: "mls-pending", epoch, add: [], remove: [benId] })
      .catch(() => undefined);
    const rogue = malCommits.at(-1);
    assert.ok(rogue, "Mal built a commit");
    assert.deepEqual(rogue.removed, [benId], "Mal's commit removes Ben");
    assert.deepEqual(m.refused, ["mls-not-committer"], "the real server refuses it");
    // A hostile server relays it all the same, to Ada and to Ben himself.
    for (const rig of [adaRig, benRig])
      rig.inject({ type: "mls-commit", from: m.id, epoch: epoch + 1, commit: rogue.commit });
    await waitFor(
      "Ada's second warning about removing Ben",
      async () => (await warningLines(ada, "would have removed Ben, who is still")) === 2,
    );
    await warning(ben, "who is still in the meeting").waitFor();
    assert.equal(await safetyNumber(ada), adaBefore);
    assert.equal(await safetyNumber(ben), benBefore);
    assert.equal(
      (await groupMembers(ben)).join(),
      ["Ada", "Ben (you)", "Mal", "Max"].join(),
      "Ben is still in his own group list",
    );
    await stillDecodes(ada, "Ada after the rogue commit");
    await stillDecodes(ben, "Ben after the rogue commit");
  });

  it("E2EE-PLAIN-1, E2EE-MEMBERS-4: an offer before the join reply is applied only with decryption in place; additions are announced", async () => {
    const cleo = await newPerson(browser, "en-US");
    others.push({ close: () => cleo.page.context().close() });
    const rig = await HostileServer.on(cleo.page);
    // The server holds back Cleo's join reply and sends its offer first, as a hostile one would
    // to get receivers without decryption.
    let held: Frame | undefined;
    let offered = false;
    rig.rewriting((frame) => {
      const result = frame.result as { status?: string } | undefined;
      if (frame.type === "ok" && result?.status === "joined") {
        held = frame;
        return [];
      }
      if (frame.type === "subscriber-offer" && held) offered = true;
      return [frame];
    });
    const announced = ada.page
      .getByText("Cleo was added to the encrypted group.")
      .waitFor({ timeout: 60_000 })
      .then(
        () => true,
        () => false,
      );
    const joining = join(cleo, roomUrl, "Cleo");
    await waitFor("the server's offer to reach Cleo before her join reply", () => offered);
    // Time for the page to apply the offer and answer it, if it would.
    const answeredEarly = await waitFor(
      "an answer before the join reply",
      () => rig.fromClient.some((f) => f.type === "subscriber-answer"),
      { timeoutMs: 3000 },
    ).then(
      () => true,
      () => false,
    );
    rig.honest();
    rig.inject(held as Frame);
    await joining;
    // Without a transform on every receiver, Ada's and Ben's SFrame ciphertext would go to
    // Cleo's decoder as it is: nothing would be decrypted and the pictures would not decode.
    await stillDecodes(cleo, "Cleo");
    const seen = await receivers(cleo.page);
    assert.ok(seen.total >= 2, `Cleo receives Ada's and Ben's video (${seen.total} receivers)`);
    assert.equal(seen.clear, 0, "every receiver decrypts");
    assert.equal(answeredEarly, false, "no offer is applied before the join result");
    assert.ok(await announced, "Ada is told that Cleo was added to the encrypted group");
    await waitFor("Ada to list Cleo in the group", async () =>
      (await groupMembers(ada)).includes("Cleo"),
    );
  });

  it("E2EE-MEMBERS-5: a leaf without a visible participant, and a participant without a leaf, are warned about", async () => {
    // The server hides Max from Ben's participant list; his leaf is still in the group.
    benRig.inject({ type: "participant-left", participantId: max?.id as string });
    await warning(ben, "Someone you cannot see").waitFor();
    // A participant who never joins the group (no MLS at all) is flagged after the grace period.
    const tap = await WeriftClient.connect(server.url, "Tap");
    others.push(tap);
    await tap.join(roomId);
    await warning(ada, "Tap is not in the encrypted group").waitFor({ timeout: 45_000 });
    await groupMembers(ben);
    assert.deepEqual(await axeViolations(ben.page), [], "warnings and the open group details");
    // The warnings stand above the videos: Ben's tile is scrolled into view, as a person would
    // (the server forwards only the videos a page shows).
    await ada.page.locator("figure.tile.remote", { hasText: "Ben" }).scrollIntoViewIfNeeded();
    await stillDecodes(ada, "Ada with the warnings standing");
  });

  it("E2EE-DOWNGRADE-1: a link marked encrypted refuses a meeting the server serves unencrypted", async () => {
    const plain = await createRoom(server.url, { lobby: false, e2ee: false });
    const dan = await newPerson(browser, "en-US");
    others.push({ close: () => dan.page.context().close() });
    await dan.page.goto(`${plain.url}#e2ee=1`);
    await dan.page.getByLabel(dan.words.name).fill("Dan");
    await dan.page.getByRole("button", { name: dan.words.join }).click();
    await dan.page.getByText("the server offered it unencrypted").waitFor();
    assert.equal(await dan.page.getByRole("button", { name: dan.words.leave }).count(), 0);
    // Control: the same room from a link without the commitment is joined, and says it is not
    // encrypted.
    await join(dan, plain.url, "Dan");
    await dan.page.getByText("Not end-to-end encrypted").waitFor();
  });

  it("BUILD-1: the meeting's encryption details show the served client's SHA-256, as coreutils computes it from the files", async () => {
    const { stdout } = await run(
      "sh",
      ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum"],
      { cwd: resolve(import.meta.dirname, "../../dist/client") },
    );
    const expected = stdout.split(" ")[0] ?? "";
    assert.match(expected, /^[0-9a-f]{64}$/);
    // Opened by keyboard, as anyone comparing it aloud would.
    const panel = ada.page.locator("details.client-build");
    await panel.locator("summary").getByText("Client build fingerprint").waitFor();
    await panel.locator("summary").focus();
    await ada.page.keyboard.press("Enter");
    const code = panel.locator("code.client-build-sha256");
    await code.waitFor();
    assert.equal(await code.textContent(), expected);
  });
});
