import { describe, expect, it } from "vitest";
import {
  SCRYPT_PARAMS,
  WORKERS_SCRYPT_COST_CAP,
  hashPassword,
  needsRehash,
  verifyPassword,
} from "../src/services/passwords";

describe("password hashing", () => {
  it("uses OWASP's scrypt row (N=2^14, r=8, p=5) inside the Workers cap N*r*p <= 2^20", () => {
    const { N, r, p } = SCRYPT_PARAMS;
    expect([N, r, p]).toEqual([2 ** 14, 8, 5]);
    expect(WORKERS_SCRYPT_COST_CAP).toBe(2 ** 20);
    expect(N * r * p).toBeLessThanOrEqual(WORKERS_SCRYPT_COST_CAP);
    // 128 * N * r bytes of memory: 16 MiB, inside a Worker's 128 MB.
    expect(128 * N * r).toBe(16 * 1024 * 1024);
  });

  it("stores the parameters with a salted hash and verifies it", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$16384\$8\$5\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it("verifies hashes made with older parameters and flags them for rehash", async () => {
    const { scryptSync, randomBytes } = await import("node:crypto");
    const salt = randomBytes(16);
    const key = scryptSync("old password", salt, 32, { N: 2 ** 12, r: 8, p: 1 });
    const old = `scrypt$4096$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("old password", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it("refuses hashes whose parameters exceed the platform cap or do not parse", async () => {
    expect(await verifyPassword("x", "scrypt$1048576$8$1$AAAA$AAAA")).toBe(false);
    expect(await verifyPassword("x", "bcrypt$whatever")).toBe(false);
  });
});
