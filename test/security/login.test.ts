import { describe, expect, it } from "vitest";
import { LOGIN_PER_ACCOUNT, LOGIN_PER_PAIR } from "../../src/services/rate-limit";
import { call, json, signup } from "../helpers";

/** Finding 6 (medium): an attacker's failed logins must not lock the real owner out. */
describe("login throttling", () => {
  const login = (email: string, password: string, ip: string) =>
    call("POST", "/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": ip } });

  it("blocks the attacking address with a growing Retry-After while the owner signs in from theirs", async () => {
    const owner = await signup();
    const attacker = "203.0.113.66";
    const answers: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < LOGIN_PER_PAIR.free + 1; i++) {
      const res = await login(owner.user.email, `guess-${i}-x`, attacker);
      answers.push(res.status);
    }
    expect(answers).toEqual(Array(LOGIN_PER_PAIR.free + 1).fill(401));
    const blocked = await login(owner.user.email, owner.password, attacker);
    expect(blocked.status).toBe(429);
    waits.push(Number(blocked.headers.get("retry-after")));
    expect(waits[0]).toBeGreaterThanOrEqual(1);
    // The owner, from another address, at the same moment:
    const mine = await login(owner.user.email, owner.password, "198.18.0.10");
    expect(mine.status).toBe(200);
  });

  it("backs off exponentially: each failure past the free ones doubles the block", async () => {
    const u = await signup();
    const ip = "203.0.113.67";
    const blocks: number[] = [];
    for (let i = 0; i < LOGIN_PER_PAIR.free + 3; i++) {
      let res = await login(u.user.email, `guess-${i}-y`, ip);
      while (res.status === 429) {
        blocks.push(Number(res.headers.get("retry-after")));
        await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after")) * 1000 + 50));
        res = await login(u.user.email, `guess-${i}-y`, ip);
      }
      expect(res.status).toBe(401);
    }
    expect(blocks).toEqual([1, 2]);
  }, 30_000);

  it(`when the account-wide ceiling (${LOGIN_PER_ACCOUNT.capacity} failures) is spent, failing addresses are refused and a fresh one only slowed`, async () => {
    const owner = await signup();
    // A botnet: every guess from a different address (call() gives each request its own).
    for (let i = 0; i < LOGIN_PER_ACCOUNT.capacity; i++) {
      expect(
        (await call("POST", "/auth/login", { body: { email: owner.user.email, password: `bot-${i}-pw` } })).status,
      ).toBe(401);
    }
    const botIp = "203.0.113.68";
    expect((await login(owner.user.email, "bot-last-pw", botIp)).status).toBe(401);
    expect((await login(owner.user.email, "bot-again-pw", botIp)).status).toBe(429);
    const mine = await login(owner.user.email, owner.password, "198.18.0.11");
    expect(mine.status).toBe(200);
    expect((await json(mine)).user.user_id).toBe(owner.user.user_id);
  }, 60_000);
});
