import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkStatement, PLATFORM_LIMITS, PlatformLimitExceeded, withLimitChecks } from "../src/lib/platform-limits";

/** Each published limit the local simulation does not enforce itself fails a test by name. */
const limitOf = async (run: () => unknown) => {
  try {
    await run();
  } catch (err) {
    if (err instanceof PlatformLimitExceeded) return err.limit;
    throw err;
  }
  return null;
};

describe("platform limit checks (on in every test run)", () => {
  const checked = withLimitChecks(env);

  it("is on in the tests, and hands production its bindings untouched", () => {
    expect(env.LIMIT_CHECKS).toBe("on");
    const prod = { ...env, LIMIT_CHECKS: "" };
    expect(withLimitChecks(prod).DB).toBe(prod.DB);
  });

  it("refuses more than 100 bound parameters", async () => {
    const values = Array.from({ length: PLATFORM_LIMITS.boundParameters + 1 }, (_, i) => i);
    expect(
      await limitOf(() =>
        checked.DB.prepare(`SELECT 1 WHERE 1 IN (${values.map(() => "?").join(",")})`)
          .bind(...values)
          .all(),
      ),
    ).toBe("boundParameters");
  });

  it("refuses a statement over 100 KB", async () => {
    expect(
      await limitOf(() => checked.DB.prepare(`SELECT '${"x".repeat(PLATFORM_LIMITS.statementBytes)}'`).all()),
    ).toBe("statementBytes");
  });

  it("refuses a LIKE or GLOB pattern over 50 bytes, bound or literal", async () => {
    const long = `%${"a".repeat(60)}%`;
    expect(await limitOf(() => checked.DB.prepare("SELECT 1 FROM products WHERE name LIKE ?").bind(long).all())).toBe(
      "likePatternBytes",
    );
    expect(
      await limitOf(() =>
        checked.DB.prepare("SELECT 1 FROM products WHERE name LIKE ?1 AND id = ?2").bind(long, "x").all(),
      ),
    ).toBe("likePatternBytes");
    expect(await limitOf(() => checkStatement(`SELECT 1 WHERE 'a' GLOB '${"a".repeat(60)}'`))).toBe("likePatternBytes");
    // A short pattern, or a long value bound elsewhere, is fine.
    expect(
      await limitOf(() =>
        checked.DB.prepare("SELECT 1 FROM products WHERE name LIKE ? AND description = ?")
          .bind("%tv%", "y".repeat(500))
          .all(),
      ),
    ).toBeNull();
  });

  it("refuses a SQL function with more than 32 arguments", async () => {
    const args = Array.from({ length: 34 }, (_, i) => `'k${i}'`).join(", ");
    expect(await limitOf(() => checked.DB.prepare(`SELECT json_array(${args})`).all())).toBe("functionArguments");
    expect(
      await limitOf(() =>
        checked.DB.prepare(`SELECT json_array(${Array.from({ length: 32 }, () => "1").join(",")})`).all(),
      ),
    ).toBeNull();
  });

  it("refuses the 1,001st D1 query of one invocation, batches counted per statement", async () => {
    const one = withLimitChecks(env);
    expect(
      await limitOf(async () => {
        for (let i = 0; i < 10; i++) await one.DB.batch(Array.from({ length: 100 }, () => one.DB.prepare("SELECT 1")));
        await one.DB.prepare("SELECT 1").first();
      }),
    ).toBe("queriesPerInvocation");
    // A new invocation starts a new budget.
    expect(await limitOf(() => withLimitChecks(env).DB.prepare("SELECT 1").first())).toBeNull();
  });

  it("refuses a queue message over 128 KB, and a sendBatch over 100 messages or 256 KB", async () => {
    const big = { blob: "x".repeat(PLATFORM_LIMITS.queueMessageBytes) };
    expect(await limitOf(() => checked.ANALYTICS.send(big as never))).toBe("queueMessageBytes");
    expect(
      await limitOf(() => checked.ANALYTICS.sendBatch(Array.from({ length: 101 }, () => ({ body: {} as never })))),
    ).toBe("batchMessages");
    const half = { blob: "x".repeat(100 * 1024) };
    expect(await limitOf(() => checked.ANALYTICS.sendBatch([1, 2, 3].map(() => ({ body: half as never }))))).toBe(
      "batchBytes",
    );
  });

  it("checks Durable Object SQL too: more than 100 bound values in a cart's storage is refused", async () => {
    const { runInDurableObject } = await import("cloudflare:test");
    const stub = env.CART.get(env.CART.idFromName(`limits-${Date.now()}`));
    const limit = await runInDurableObject(stub, async (_instance, state) => {
      const values = Array.from({ length: 101 }, (_, i) => i);
      try {
        state.storage.sql.exec(`SELECT 1 WHERE 1 IN (${values.map(() => "?").join(",")})`, ...values);
        return null;
      } catch (err) {
        return (err as PlatformLimitExceeded).limit ?? String(err);
      }
    });
    expect(limit).toBe("boundParameters");
  });
});

describe("object memory", () => {
  it("refuses a search shard past half of an object's 128 MB, at the measured heap per document", async () => {
    const { checkSearchShardSize, SEARCH_HEAP_BYTES_PER_DOCUMENT } = await import("../src/lib/platform-limits");
    const most = Math.floor(PLATFORM_LIMITS.objectMemoryBytes / 2 / SEARCH_HEAP_BYTES_PER_DOCUMENT);
    expect(() => checkSearchShardSize(most, env)).not.toThrow();
    expect(await limitOf(() => checkSearchShardSize(most + 1, env))).toBe("objectMemoryBytes");
  });
});
