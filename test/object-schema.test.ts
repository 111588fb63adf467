import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addColumns, ensureObjectSchema } from "../src/lib/object-schema";
import { unique } from "./helpers";

const cart = (name: string) => env.CART.get(env.CART.idFromName(name));

describe("Durable Object schema versions (src/lib/object-schema.ts)", () => {
  it("a cart object records its schema version when it first wakes, and keeps working", async () => {
    const stub = cart(`guest:crt_schema_${unique()}`);
    expect(await stub.itemCount()).toBe(0);
    const parts = await runInDurableObject(stub, (_obj, ctx) =>
      ctx.storage.sql.exec<{ part: string; version: number }>("SELECT part, version FROM object_schema").toArray(),
    );
    expect(parts).toEqual([{ part: "cart", version: 1 }]);
  });

  it("creates a new object's schema in one go, migrates one from before versions, and runs each version once", async () => {
    const stub = cart(`guest:crt_schema_${unique()}`);
    const runs = await runInDurableObject(stub, (_obj, ctx) => {
      const sql = ctx.storage.sql;
      const count = { migrate: 0 };
      const create = "CREATE TABLE t_a (id INTEGER PRIMARY KEY, x TEXT, y INTEGER NOT NULL DEFAULT 0)";
      const migrate = () => {
        count.migrate++;
        sql.exec("CREATE TABLE IF NOT EXISTS t_a (id INTEGER PRIMARY KEY)");
        addColumns(sql, "t_a", ["x TEXT", "y INTEGER NOT NULL DEFAULT 0"]);
      };
      const answers = [
        ensureObjectSchema(sql, "a", 1, { create, migrate }), // new: created, no migration
        ensureObjectSchema(sql, "a", 1, { create, migrate }), // current
        ensureObjectSchema(sql, "a", 2, { create, migrate }), // a new version: migrated
        ensureObjectSchema(sql, "a", 2, { create, migrate }),
      ];
      // An object from before versions: its tables exist (the old shape), with no record.
      sql.exec("DELETE FROM object_schema WHERE part = 'a'");
      sql.exec("DROP TABLE t_a");
      sql.exec("CREATE TABLE t_a (id INTEGER PRIMARY KEY)");
      answers.push(ensureObjectSchema(sql, "a", 2, { create, migrate }));
      answers.push(ensureObjectSchema(sql, "a", 2, { create, migrate }));
      const columns = sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('t_a')")
        .toArray()
        .map((c) => c.name);
      const version = sql.exec<{ version: number }>("SELECT version FROM object_schema WHERE part = 'a'").one();
      return { answers, count, columns, version };
    });
    expect(runs.answers).toEqual(["new", "current", "migrated", "current", "migrated", "current"]);
    expect(runs.count).toEqual({ migrate: 2 });
    expect(runs.columns).toEqual(["id", "x", "y"]);
    expect(runs.version).toEqual({ version: 2 });
  });
});
