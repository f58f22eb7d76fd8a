import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Username, usernameFrom } from "./username";

describe("Username", () => {
  it("accepts plain names and e-mail addresses, folding to lower case", () => {
    assert.equal(Username.parse("alice"), "alice");
    assert.equal(Username.parse(" Alice.Smith@Example.org "), "alice.smith@example.org");
    assert.equal(Username.parse("a"), "a");
  });

  it("refuses empty, too long, control characters and leading punctuation", () => {
    for (const bad of ["", "-alice", "alice-", "al ice", "al\u0000ice", "a".repeat(65), "ä"]) {
      assert.equal(Username.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it("turns an identity provider's suggestion into a valid name", () => {
    assert.equal(usernameFrom("Jane Doe"), "jane-doe");
    assert.equal(usernameFrom("__x__"), "x");
    assert.equal(usernameFrom("äöü"), "user");
    assert.ok(Username.safeParse(usernameFrom("x".repeat(300))).success);
  });
});
