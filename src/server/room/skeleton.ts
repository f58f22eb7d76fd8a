/**
 * A name's confusable skeleton, in the spirit of Unicode TS #39: two names
 * that look alike on screen ("Anna" in Latin and in Cyrillic letters, "rn"
 * and "m", "0" and "O") get the same skeleton. Used only to flag a knock to
 * moderators (SPEC NAME-3), never to refuse one: a short table of the
 * look-alikes that matter in Latin, Cyrillic and Greek names, not the whole
 * confusables file.
 */
const LOOKALIKE: Record<string, string> = {
  // Cyrillic
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "l",
  ї: "l",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  һ: "h",
  // Greek
  α: "a",
  β: "b",
  ε: "e",
  η: "n",
  ι: "l",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  // Digits and Latin look-alikes
  "0": "o",
  "1": "l",
  i: "l",
  "|": "l",
  "5": "s",
  ı: "l",
};

export function skeleton(name: string): string {
  const folded = name
    .normalize("NFKD")
    // Accents and other combining marks do not change how a name reads at a glance.
    .replace(/\p{M}/gu, "")
    .toLowerCase();
  let out = "";
  for (const ch of folded) {
    if (/[\s\p{P}\p{Z}]/u.test(ch) && ch !== "|") continue;
    out += LOOKALIKE[ch] ?? ch;
  }
  return out.replace(/rn/g, "m").replace(/vv/g, "w").replace(/cl/g, "d");
}
