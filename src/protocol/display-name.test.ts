import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nameProblem } from "./display-name";
import { DisplayName } from "./messages";

/** The name battery of issue 19 (finding 5): what a spoofer tried, and what real names need. */
describe("display names (docs/SPEC.md NAME-2)", () => {
  it("NAME-2: refuses controls, bidi overrides, zero-width characters, fillers and odd spaces", () => {
    const refused: [string, string][] = [
      ["Anna\u202Enitram", "invisible"], // right-to-left override
      ["Anna\u2066x\u2069", "invisible"], // isolates
      ["Ann\u200Ba", "invisible"], // zero-width space
      ["\u200DAnna", "invisible"], // a joiner at the start
      ["An\uFEFFna", "invisible"], // byte-order mark (trimmed at the ends)
      ["\u3164", "invisible"], // Hangul filler
      ["Anna \u3164", "invisible"],
      ["\u115F\u1160", "invisible"],
      ["\uFFA0", "invisible"],
      ["\u2800", "invisible"], // Braille blank
      ["A\u00ADnna", "invisible"], // soft hyphen
      ["Anna\u0085", "control"], // C1 next line
      ["Anna\u009B", "control"], // C1 CSI
      ["Anna\u0007", "control"],
      ["Anna\u2028Mod", "separator"],
      ["Anna\u00A0Mod", "separator"], // no-break space
      ["Anna\u3000Mod", "separator"],
      ["A\u0301\u0301\u0301\u0301\u0301", "marks"],
      ["\u0301", "empty"],
    ];
    for (const [name, problem] of refused) {
      assert.equal(nameProblem(name), problem, JSON.stringify(name));
      assert.equal(DisplayName.safeParse(name).success, false, JSON.stringify(name));
    }
  });

  it("NAME-2: accepts the names people have", () => {
    for (const name of [
      "Anna Müller",
      "Zoë O'Brien-Smith",
      "Łukasz Żółć",
      "Νίκος",
      "Дмитрий",
      "محمد",
      "می‌خواهم", // Persian with a zero-width non-joiner inside a word
      "山田 太郎",
      "김민준",
      "अनुष्का",
      "Sam 👩‍💻", // emoji with a zero-width joiner
      "❤️ Kim", // emoji with a variation selector
      "Dr. J. (Admin)",
    ]) {
      assert.equal(nameProblem(name), undefined, name);
      assert.ok(DisplayName.safeParse(name).success, name);
    }
  });
});
