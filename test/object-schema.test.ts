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

  it("runs a part's migration once per version, per part, and again for an object from before versions", async () => {
    const stub = cart(`guest:crt_schema_${unique()}`);
    const runs = await runInDurableObject(stub, (_obj, ctx) => {
      const sql = ctx.storage.sql;
      const count: Record<string, number> = { a: 0, b: 0 };
      const migrateA = () => {
        count.a++;
        sql.exec("CREATE TABLE IF NOT EXISTS t_a (id INTEGER PRIMARY KEY)");
        addColumns(sql, "t_a", ["x TEXT", "y INTEGER NOT NULL DEFAULT 0"]);
      };
      ensureObjectSchema(sql, "a", 1, migrateA);
      ensureObjectSchema(sql, "a", 1, migrateA); // current: not run
      ensureObjectSchema(sql, "b", 1, () => count.b++); // another part of the same storage
      const afterFirst = { ...count };
      ensureObjectSchema(sql, "a", 2, migrateA); // a new version: run once more, idempotently
      ensureObjectSchema(sql, "a", 2, migrateA);
      // An object from before versions has no record: its idempotent steps run once, then never again.
      sql.exec("DELETE FROM object_schema WHERE part = 'a'");
      ensureObjectSchema(sql, "a", 2, migrateA);
      ensureObjectSchema(sql, "a", 2, migrateA);
      const columns = sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('t_a')")
        .toArray()
        .map((c) => c.name);
      const versions = sql
        .exec<{ part: string; version: number }>(
          "SELECT part, version FROM object_schema WHERE part IN ('a', 'b') ORDER BY part",
        )
        .toArray();
      return { afterFirst, count, columns, versions };
    });
    expect(runs.afterFirst).toEqual({ a: 1, b: 1 });
    expect(runs.count).toEqual({ a: 3, b: 1 });
    expect(runs.columns).toEqual(["id", "x", "y"]);
    expect(runs.versions).toEqual([
      { part: "a", version: 2 },
      { part: "b", version: 1 },
    ]);
  });
});
