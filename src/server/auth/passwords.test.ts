import assert from "node:assert/strict";
import { it } from "node:test";
import { hashPassword, verifyPassword } from "./passwords";

it("hashes with argon2id and verifies only the right password", async () => {
  const encoded = await hashPassword("correct horse");
  assert.match(encoded, /^\$argon2id\$/);
  assert.equal(await verifyPassword(encoded, "correct horse"), true);
  assert.equal(await verifyPassword(encoded, "wrong horse"), false);
  assert.equal(await verifyPassword("not a hash", "correct horse"), false);
});
