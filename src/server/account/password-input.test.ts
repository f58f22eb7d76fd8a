import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { NoPasswordError, readPassword } from "./password-input";

/** A stream that claims to be a terminal and records raw mode, like process.stdin on a TTY. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    raw: [] as boolean[],
    setRawMode(raw: boolean) {
      input.raw.push(raw);
      return input;
    },
  });
  const output = new PassThrough();
  let shown = "";
  output.on("data", (d) => {
    shown += d;
  });
  return { input, output, shown: () => shown };
}

describe("readPassword", () => {
  it("reads from a terminal in raw mode without echo, honouring backspace", async () => {
    const t = fakeTerminal();
    const reading = readPassword("Password: ", t.input, t.output);
    t.input.write("secreX\u007ft\r");
    assert.equal(await reading, "secret");
    assert.equal(t.shown(), "Password: \n", "only the prompt, never the password");
    assert.deepEqual(t.input.raw, [true, false], "raw mode is switched off again");
  });

  it("gives up on Ctrl-C", async () => {
    const t = fakeTerminal();
    const reading = readPassword("Password: ", t.input, t.output);
    t.input.write("abc\u0003");
    await assert.rejects(reading, NoPasswordError);
  });

  it("takes the first line of a pipe, and refuses empty input", async () => {
    const pipe = new PassThrough();
    pipe.end("piped secret\r\nsecond line\n");
    assert.equal(await readPassword("ignored", pipe), "piped secret");
    const empty = new PassThrough();
    empty.end("");
    await assert.rejects(readPassword("ignored", empty), NoPasswordError);
  });
});
