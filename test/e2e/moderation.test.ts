import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { axeViolations } from "../support/axe";
import { launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

/**
 * Happy paths of issues 4 and 19 in real browsers: knock, admit, deny (with a
 * reason), messages to the lobby, a full meeting, password, promote, kick, end for all.
 */
describe("lobby and moderation in the browser", () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let roomUrl: string;

  async function person(locale: "en-US" | "de-DE"): Promise<Page> {
    const page = await (await personContext(browser, locale)).newPage();
    // Confirmation dialogs (remove, end for all) are accepted as a person would.
    page.on("dialog", (d) => void d.accept());
    return page;
  }

  /** Opens a side panel from the toolbar (a second click would close it). */
  async function openPanel(page: Page, name: string | RegExp): Promise<void> {
    const button = page.getByRole("button", {
      name,
      ...(typeof name === "string" ? { exact: true } : {}),
    });
    if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
  }

  async function knock(
    page: Page,
    name: string,
    join = "Join",
    nameLabel = "Your name",
  ): Promise<void> {
    await page.goto(roomUrl);
    await page.getByLabel(nameLabel).fill(name);
    await page.getByRole("button", { name: join }).click();
  }

  before(async () => {
    // A meeting of two at most, so that the full-meeting messages take two people to reach.
    server = await startServerProcess({ PLENUM_MAX_PARTICIPANTS: "2" });
    browser = await launchChromium();
    alice = await person("en-US");
    await alice.goto(server.url);
    await alice.getByRole("button", { name: "New meeting" }).click();
    await alice.waitForURL(/\/r\//);
    roomUrl = alice.url();
    await alice.getByLabel("Your name").fill("Alice");
    await alice.getByRole("button", { name: "Join" }).click();
    await alice.getByRole("button", { name: "Leave" }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("LOBBY-3: the moderator is told of a knock and can deny it", async () => {
    const carol = await person("en-US");
    await knock(carol, "Carol");
    await carol.getByRole("heading", { name: "Please wait" }).waitFor();
    const panel = alice.getByRole("region", { name: /Waiting in the lobby: 1/ });
    await panel.waitFor();
    // The screen-reader announcement is there too.
    await alice.getByText("Carol is waiting in the lobby.").waitFor({ state: "attached" });
    await alice.getByRole("button", { name: "Deny Carol" }).click();
    await carol.getByText("A moderator did not let you into this meeting.").waitFor();
    await panel.waitFor({ state: "detached" });
  });

  it("LOBBY-4, LOBBY-5: a message to the lobby and a deny reason reach those waiting, by keyboard, in both languages", async () => {
    const frank = await person("en-US");
    const greta = await person("de-DE");
    await knock(frank, "Frank");
    await frank.getByRole("heading", { name: "Please wait" }).waitFor();
    await knock(greta, "Greta", "Beitreten", "Ihr Name");
    await greta.getByRole("heading", { name: "Bitte warten" }).waitFor();
    await alice.getByRole("region", { name: /Waiting in the lobby: 2/ }).waitFor();

    // The moderator writes and presses Enter; the form tells how many it reached.
    const field = alice.getByLabel("Message to everyone waiting");
    await field.focus();
    await alice.keyboard.type("We start in 5 minutes");
    await alice.keyboard.press("Enter");
    await alice.getByRole("status").filter({ hasText: "Sent to 2 waiting." }).waitFor();
    assert.equal(await field.inputValue(), "", "the field is cleared for the next message");
    const heard = frank.getByRole("log", { name: "Message from the moderators" });
    await heard.getByText("We start in 5 minutes").waitFor();
    const gehört = greta.getByRole("log", { name: "Nachricht der Moderation" });
    await gehört.getByText("We start in 5 minutes").waitFor();
    assert.deepEqual(await axeViolations(greta), [], "lobby with a message (de)");

    // Deny with a reason, by keyboard: the field takes the focus, Enter sends.
    await alice.getByRole("button", { name: "Deny with reason Greta" }).focus();
    await alice.keyboard.press("Enter");
    const reason = alice.getByLabel("Reason for Greta, shown to them");
    await reason.waitFor();
    assert.equal(await reason.evaluate((el) => el === document.activeElement), true);
    assert.deepEqual(await axeViolations(alice), [], "lobby panel with the reason form");
    await alice.keyboard.type("Falscher Termin – bitte morgen");
    await alice.keyboard.press("Enter");
    await greta.getByText("Die Moderation hat Sie nicht in dieses Meeting gelassen.").waitFor();
    await greta.getByText("Die Moderation schreibt: „Falscher Termin – bitte morgen“").waitFor();
    assert.deepEqual(await axeViolations(greta), [], "denied with a reason (de)");
    await alice.getByRole("region", { name: /Waiting in the lobby: 1/ }).waitFor();

    // LIMIT-1: Frank fills the meeting (two at most); whoever comes next is told it is full.
    await alice.getByRole("button", { name: "Admit Frank" }).click();
    await frank.getByRole("button", { name: "Leave" }).waitFor();
    const hana = await person("en-US");
    await knock(hana, "Hana");
    await alice.getByRole("button", { name: "Admit Hana" }).click();
    await alice.getByRole("alert").filter({ hasText: "This meeting is full" }).waitFor();
    // Switching the lobby off lets in whoever fits; Hana does not, and is told why.
    await openPanel(alice, "Moderation");
    await alice.getByRole("button", { name: "Lobby", exact: true, pressed: true }).click();
    await hana
      .getByRole("status")
      .filter({ hasText: "This meeting is full: it has reached the number of participants" })
      .waitFor();
    // Without a lobby a newcomer is refused at the door, before entering, with the same words.
    const ivo = await person("de-DE");
    await knock(ivo, "Ivo", "Beitreten", "Ihr Name");
    await ivo.getByText("Dieses Meeting ist voll").waitFor();
    await alice.getByRole("button", { name: "Lobby", exact: true, pressed: false }).click();
    await alice.getByRole("button", { name: "Lobby", exact: true, pressed: true }).waitFor();
    await frank.getByRole("button", { name: "Leave" }).click();
    await alice.locator("figure.tile.remote", { hasText: "Frank" }).waitFor({ state: "detached" });
    await Promise.all([frank, greta, hana, ivo].map((p) => p.context().close()));
  });

  it("PW-1: with a password set, a newcomer must give it before reaching the lobby", async () => {
    await openPanel(alice, "Moderation");
    await alice.getByRole("button", { name: "Password", exact: true }).click();
    await alice.getByLabel("New meeting password").fill("open sesame");
    await alice.getByRole("button", { name: "Set password" }).click();
    await alice.getByRole("button", { name: "Password", exact: true, pressed: true }).waitFor();
    await alice.getByText("Password protected").waitFor();

    const dave = await person("de-DE");
    await knock(dave, "Dave", "Beitreten", "Ihr Name");
    await dave.getByText("Dieses Meeting ist durch ein Passwort geschützt").waitFor();
    await dave.getByLabel("Meeting-Passwort").fill("wrong");
    await dave.getByRole("button", { name: "Beitreten" }).click();
    await dave.getByText("Das Passwort ist nicht richtig.").waitFor();
    await dave.getByLabel("Meeting-Passwort").fill("open sesame");
    await dave.getByRole("button", { name: "Beitreten" }).click();
    await dave.getByRole("heading", { name: "Bitte warten" }).waitFor();
    await alice.getByRole("button", { name: "Admit Dave" }).click();
    await dave.getByRole("button", { name: "Verlassen" }).waitFor();
    await alice.locator("figure.tile.remote", { hasText: "Dave" }).waitFor();

    // MOD-5: promote Dave from the participant list; he is told and gets the moderator controls.
    await openPanel(alice, /^Participants \(/);
    await alice.getByRole("button", { name: "Make moderator Dave" }).click();
    await dave.getByText("Alice hat Sie zur Moderation gemacht.").waitFor();
    await openPanel(dave, "Moderation");
    await dave.getByRole("button", { name: "Für alle beenden" }).waitFor();
    await alice.getByRole("button", { name: "Remove moderator role Dave" }).click();
    await dave
      .getByRole("button", { name: "Moderation", exact: true })
      .waitFor({ state: "detached" });

    // MOD-1: remove Dave; he is told, and his tile goes from Alice's view.
    await alice.getByRole("button", { name: "Remove Dave" }).click();
    await dave.getByText("Die Moderation hat Sie aus dem Meeting entfernt.").waitFor();
    await alice.locator("figure.tile.remote", { hasText: "Dave" }).waitFor({ state: "detached" });

    // The password can be removed again.
    await openPanel(alice, "Moderation");
    await alice.getByRole("button", { name: "Password", exact: true, pressed: true }).click();
    await alice.getByRole("button", { name: "Remove password" }).click();
    await alice.getByRole("button", { name: "Password", exact: true, pressed: false }).waitFor();
  });

  it("MOD-2: asking someone to unmute is a question they answer themselves", async () => {
    const erin = await person("en-US");
    await knock(erin, "Erin");
    await alice.getByRole("button", { name: "Admit Erin" }).click();
    await erin.getByRole("button", { name: "Leave" }).waitFor();
    await openPanel(alice, /^Participants \(/);
    await alice.getByRole("button", { name: "Ask to unmute Erin" }).click();
    await erin.getByText("Alice asks you to switch on your microphone.").waitFor();
    const mic = erin.getByRole("button", { name: "Microphone", exact: true });
    assert.equal(
      await mic.getAttribute("aria-pressed"),
      "false",
      "nothing was switched on remotely",
    );
    await erin.getByRole("button", { name: "Switch microphone on" }).click();
    await erin.getByRole("button", { name: "Microphone", exact: true, pressed: true }).waitFor();

    // MOD-6: end for all.
    await openPanel(alice, "Moderation");
    await alice.getByRole("button", { name: "End for all" }).click();
    await erin.getByText("A moderator ended the meeting for everyone.").waitFor();
  });
});
