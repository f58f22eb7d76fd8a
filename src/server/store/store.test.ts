import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { startPostgres, type TestPostgres } from "../../../test/support/postgres";
import { storeContract } from "../../../test/support/store-contract";
import { Store } from "./store";

// One contract, two databases: the same Kysely code must behave the same on both.
const dir = mkdtempSync(join(tmpdir(), "plenum-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
storeContract({
  name: "SQLite file",
  async fresh() {
    const file = join(dir, `${++files}.db`);
    return () => Store.openSqlite(file);
  },
});

let postgres: TestPostgres | undefined;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres?.close());
storeContract({
  name: "PostgreSQL",
  async fresh() {
    if (!postgres) throw new Error("PostgreSQL did not start");
    const url = await postgres.createDatabase();
    return () => Store.open({ databaseUrl: url, dataDir: dir });
  },
});
