import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

/** Happy paths of issue 4 in real browsers: knock, admit, deny, password, promote, kick, end for all. */
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
    server = await startServerProcess();
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
