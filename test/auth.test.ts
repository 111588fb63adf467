import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { onUserShard } from "../src/db/shards";
import { fromBase64Url, toBase64Url } from "../src/lib/crypto";
import { verifyAccessToken } from "../src/services/tokens";
import { adminUser, call, json, signup, unique } from "./helpers";

const keys = () => JSON.parse(env.JWT_KEYS) as { current: string; keys: Record<string, string> };

async function tokenWith(opts: {
  kid?: string;
  audience?: string;
  issuer?: string;
  expiresIn?: string | number;
  sub: string;
  role?: string;
}) {
  const ring = keys();
  const kid = opts.kid ?? ring.current;
  return new SignJWT({ role: opts.role ?? "buyer" })
    .setProtectedHeader({ alg: "HS256", kid })
    .setSubject(opts.sub)
    .setIssuer(opts.issuer ?? env.JWT_ISSUER)
    .setAudience(opts.audience ?? env.JWT_AUDIENCE)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(opts.expiresIn ?? "15m")
    .sign(fromBase64Url(ring.keys[kid] ?? ring.keys[ring.current]));
}

describe("signup", () => {
  it("creates a buyer by default and returns tokens; never the password hash", async () => {
    const name = unique();
    const res = await call("POST", "/auth/signup", {
      body: { email: `${name}@Example.com`, username: name, password: "password123", phone_number: "+14155550123" },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.user.user_id).toMatch(/^usr_[0-9A-Z]{26}$/);
    expect(body.user.email).toBe(`${name}@example.com`);
    expect(body.user.role).toBe("buyer");
    expect(body.user.phone_number).toBe("+14155550123");
    expect(body.access_token.split(".")).toHaveLength(3);
    expect(body.refresh_token).toMatch(/^rt_/);
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(900);
    expect(JSON.stringify(body)).not.toMatch(/password|scrypt/);
  });

  it("can create a seller, but admin only through the bootstrap token", async () => {
    const seller = await signup({ role: "seller" });
    expect(seller.user.role).toBe("seller");
    const res = await call("POST", "/auth/signup", {
      body: { email: `${unique()}@example.com`, username: unique(), password: "password123", role: "admin" },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details[0].field).toBe("role");
    const admin = await adminUser();
    expect(admin.user.role).toBe("admin");
  });

  it("answers a duplicate email (any case) with 409 email_taken", async () => {
    const first = await signup();
    const res = await call("POST", "/auth/signup", {
      body: { email: first.user.email.toUpperCase(), username: unique(), password: "password123" },
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("email_taken");
  });

  it("answers a duplicate username with 409 username_taken", async () => {
    const first = await signup();
    const res = await call("POST", "/auth/signup", {
      body: { email: `${unique()}@example.com`, username: first.user.username.toUpperCase(), password: "password123" },
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("username_taken");
  });

  it("emits user.registered through the outbox to the events queue", async () => {
    const u = await signup();
    // In the user's database (users are spread over two in tests), with the user row it was written with.
    const outboxRow = () =>
      onUserShard(env, u.user.user_id)
        .DB.prepare("SELECT type, payload, dispatched_at FROM outbox_events WHERE payload LIKE ?")
        .bind(`%${u.user.user_id}%`)
        .first<{ type: string; payload: string; dispatched_at: number | null }>();
    const row = await outboxRow();
    expect(row?.type).toBe("user.registered");
    expect(JSON.parse(row!.payload).data).toEqual({ user_id: u.user.user_id, role: "buyer" });
    // Sent after the response, with other requests' events: marked dispatched moments later.
    await vi.waitFor(async () => expect((await outboxRow())?.dispatched_at).toBeGreaterThan(0), {
      timeout: 5000,
      interval: 50,
    });
  });
});

describe("login", () => {
  it("signs in with the right password (email case-insensitive)", async () => {
    const u = await signup();
    const res = await call("POST", "/auth/login", {
      body: { email: u.user.email.toUpperCase(), password: u.password },
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.user.user_id).toBe(u.user.user_id);
    const me = await call("GET", `/users/${u.user.user_id}`, { token: body.access_token });
    expect((await json(me)).email).toBe(u.user.email);
  });

  it("answers a wrong password or unknown email with the same 401 invalid_credentials", async () => {
    const u = await signup();
    const wrong = await call("POST", "/auth/login", { body: { email: u.user.email, password: "not-the-password" } });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.code).toBe("invalid_credentials");
    const unknown = await call("POST", "/auth/login", {
      body: { email: `${unique()}@example.com`, password: "whatever1" },
    });
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).error.code).toBe("invalid_credentials");
  });

  /**
   * Fires failing logins until the first 429 and returns how many 401s came
   * before it. Buckets refill while the loop runs (scrypt is slow on purpose),
   * so the bound allows for the tokens that elapsed time gave back.
   */
  async function failuresUntilLimited(attempt: (i: number) => Promise<Response>, max: number) {
    const started = Date.now();
    let failures = 0;
    for (let i = 0; i < max; i++) {
      const res = await attempt(i);
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        expect((await json(res)).error.code).toBe("rate_limited");
        return { failures, seconds: (Date.now() - started) / 1000 };
      }
      expect(res.status).toBe(401);
      failures++;
    }
    throw new Error(`no 429 after ${max} failed logins`);
  }

  it("throttles failed attempts per account and address: 5 free, then 429 with Retry-After", async () => {
    const u = await signup();
    const ip = "203.0.113.41";
    const { failures } = await failuresUntilLimited(
      (i) =>
        call("POST", "/auth/login", {
          body: { email: u.user.email, password: `wrong-${i}-pass` },
          headers: { "cf-connecting-ip": ip },
        }),
      20,
    );
    expect(failures).toBe(6);
    // The owner, from their own address, is not locked out (finding 6 of the security issue).
    const right = await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } });
    expect(right.status).toBe(200);
  });

  it("rate-limits failed attempts per IP across accounts", async () => {
    const ip = "203.0.113.77";
    const { failures, seconds } = await failuresUntilLimited(
      () =>
        call("POST", "/auth/login", {
          body: { email: `${unique()}@example.com`, password: "wrong-password" },
          headers: { "cf-connecting-ip": ip },
        }),
      120,
    );
    expect(failures).toBeGreaterThanOrEqual(30);
    expect(failures).toBeLessThanOrEqual(30 + Math.ceil(seconds / 2));
  });

  it("does not count successful logins against the limit", async () => {
    const u = await signup();
    for (let i = 0; i < 12; i++) {
      const res = await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } });
      expect(res.status).toBe(200);
    }
  });
});

describe("refresh and logout", () => {
  it("rotates: the new pair works and the old refresh token stops working", async () => {
    const u = await signup();
    const res = await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } });
    expect(res.status).toBe(200);
    const pair = await json(res);
    expect(pair.refresh_token).not.toBe(u.refresh_token);
    expect((await call("GET", `/users/${u.user.user_id}`, { token: pair.access_token })).status).toBe(200);
    const again = await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } });
    expect(again.status).toBe(401);
  });

  it("reuse of a retired refresh token revokes its whole family", async () => {
    const u = await signup();
    const second = await json(await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } }));
    // An attacker replays the first token: refused, and the legitimate newest token dies with it.
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } })).status).toBe(401);
    const victim = await call("POST", "/auth/refresh", { body: { refresh_token: second.refresh_token } });
    expect(victim.status).toBe(401);
    // Other sessions (families) of the same user are untouched.
    const other = await json(
      await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } }),
    );
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: other.refresh_token } })).status).toBe(200);
  });

  it("two concurrent refreshes of one token: at most one wins", async () => {
    const u = await signup();
    const results = await Promise.all(
      [1, 2].map(() => call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } })),
    );
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.status === 401)).toBe(true);
  });

  it("rejects unknown refresh tokens with 401", async () => {
    const res = await call("POST", "/auth/refresh", { body: { refresh_token: "rt_nope" } });
    expect(res.status).toBe(401);
  });

  it("logout needs a token, answers 204, and kills the session's refresh token", async () => {
    const u = await signup();
    expect((await call("POST", "/auth/logout", { body: { refresh_token: u.refresh_token } })).status).toBe(401);
    const res = await call("POST", "/auth/logout", { token: u.access_token, body: { refresh_token: u.refresh_token } });
    expect(res.status).toBe(204);
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } })).status).toBe(401);
  });

  it("logout with someone else's refresh token changes nothing", async () => {
    const a = await signup();
    const b = await signup();
    const res = await call("POST", "/auth/logout", { token: a.access_token, body: { refresh_token: b.refresh_token } });
    expect(res.status).toBe(204);
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: b.refresh_token } })).status).toBe(200);
  });
});

describe("access tokens", () => {
  const expectUnauthenticated = async (token: string) => {
    const u = await signup();
    const res = await call("PATCH", `/users/${u.user.user_id}`, { token, body: { username: unique() } });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("unauthenticated");
    // A bad token is refused even on a route anyone may call.
    expect((await call("GET", `/users/${u.user.user_id}`, { token })).status).toBe(401);
  };

  it("accepts a token signed with an older key of the ring (rotation)", async () => {
    const u = await signup();
    const token = await tokenWith({ sub: u.user.user_id, kid: "test-1" });
    expect((await call("GET", `/users/${u.user.user_id}`, { token })).status).toBe(200);
  });

  it("a token verified before is still refused once it expires (the isolate's verified-token memo)", async () => {
    const now = Date.now();
    const token = await tokenWith({ sub: "usr_memo", expiresIn: Math.floor(now / 1000) + 5 });
    expect(await verifyAccessToken(env, token)).toEqual({ userId: "usr_memo", role: "buyer" });
    expect(await verifyAccessToken(env, token)).toEqual({ userId: "usr_memo", role: "buyer" });
    vi.useFakeTimers({ now: now + 6_000, toFake: ["Date"] });
    try {
      await expect(verifyAccessToken(env, token)).rejects.toMatchObject({ code: "unauthenticated" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a token verified before is refused by a key ring that dropped its key", async () => {
    const ring = keys();
    const token = await tokenWith({ sub: "usr_memo2", kid: "test-1" });
    expect(await verifyAccessToken(env, token)).toEqual({ userId: "usr_memo2", role: "buyer" });
    const without = { ...ring, keys: Object.fromEntries(Object.entries(ring.keys).filter(([k]) => k !== "test-1")) };
    const rotated = { ...env, JWT_KEYS: JSON.stringify(without) };
    await expect(verifyAccessToken(rotated, token)).rejects.toMatchObject({ code: "unauthenticated" });
    // And a different issuer or audience is not answered from what was verified for this one.
    await expect(verifyAccessToken({ ...env, JWT_AUDIENCE: "someone-else" }, token)).rejects.toMatchObject({
      code: "unauthenticated",
    });
  });

  it("rejects an expired token", async () => {
    await expectUnauthenticated(await tokenWith({ sub: "usr_x", expiresIn: Math.floor(Date.now() / 1000) - 60 }));
  });

  it("rejects a tampered token", async () => {
    const u = await signup();
    const [h, p, s] = u.access_token.split(".");
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(p)));
    claims.role = "admin";
    const forged = `${h}.${toBase64Url(new TextEncoder().encode(JSON.stringify(claims)))}.${s}`;
    await expectUnauthenticated(forged);
  });

  it("rejects alg: none", async () => {
    const enc = (o: object) => toBase64Url(new TextEncoder().encode(JSON.stringify(o)));
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: "none", typ: "JWT", kid: keys().current })}.${enc({
      sub: "usr_x",
      role: "admin",
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      iat: now,
      exp: now + 600,
    })}.`;
    await expectUnauthenticated(token);
  });

  it("rejects a wrong audience, a wrong issuer and an unknown kid", async () => {
    await expectUnauthenticated(await tokenWith({ sub: "usr_x", audience: "someone-else" }));
    await expectUnauthenticated(await tokenWith({ sub: "usr_x", issuer: "evil" }));
    await expectUnauthenticated(await tokenWith({ sub: "usr_x", kid: "retired-key" }));
  });

  it("rejects a malformed Authorization header", async () => {
    await expectUnauthenticated("not-a-jwt");
    const res = await call("GET", "/users/usr_x", { headers: { authorization: "Basic Zm9vOmJhcg==" } });
    expect(res.status).toBe(401);
  });
});

describe("password parameter upgrades", () => {
  it("re-hashes a password stored with older scrypt parameters on the next login", async () => {
    const { scryptSync, randomBytes } = await import("node:crypto");
    const u = await signup();
    const salt = randomBytes(16);
    const key = scryptSync(u.password, salt, 32, { N: 2 ** 12, r: 8, p: 1 });
    const old = `scrypt$4096$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    const { DB } = onUserShard(env, u.user.user_id);
    await DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(old, u.user.user_id).run();
    const res = await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } });
    expect(res.status).toBe(200);
    const row = await DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(u.user.user_id)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^scrypt\$16384\$8\$5\$/);
    expect((await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } })).status).toBe(
      200,
    );
  });
});
