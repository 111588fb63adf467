import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { call, json, signup, unique } from "../helpers";

/** The latest code mailed to an address (the sink records what the email provider would send). */
async function codeSentTo(address: string, subject: RegExp): Promise<string> {
  let token = "";
  await vi.waitFor(
    async () => {
      const rows = await env.DB.prepare("SELECT subject, body FROM message_sink WHERE recipient = ? ORDER BY id DESC")
        .bind(address)
        .all<{ subject: string; body: string }>();
      const hit = rows.results.find((r) => subject.test(r.subject));
      const m = hit ? /(usr_[0-9A-Za-z]+\.[A-Za-z0-9_-]+)/.exec(hit.body) : null;
      expect(m).not.toBeNull();
      token = m![1];
    },
    { timeout: 10_000, interval: 200 },
  );
  return token;
}

/** Finding 7 (medium): email squatting and enumeration; password reset, change and sign-out everywhere. */
describe("email verification", () => {
  it("mails a single-use code at sign-up; the address is verified once it comes back", async () => {
    const u = await signup();
    expect((u.user as any).email_verified).toBe(false);
    const token = await codeSentTo(u.user.email, /Confirm your email/);
    const res = await call("POST", "/auth/email/verify", { body: { token } });
    expect(res.status).toBe(200);
    expect((await json(res)).email_verified).toBe(true);
    expect((await call("POST", "/auth/email/verify", { body: { token } })).status).toBe(401);
  });

  it("refuses an expired code", async () => {
    const u = await signup();
    const token = await codeSentTo(u.user.email, /Confirm your email/);
    for (const db of [env.DB, env.ORDERS_DB_1])
      await db.prepare("UPDATE account_tokens SET expires_at = 0 WHERE user_id = ?").bind(u.user.user_id).run();
    expect((await call("POST", "/auth/email/verify", { body: { token } })).status).toBe(401);
  });

  it("applies an email change only when the new address confirms it", async () => {
    const u = await signup();
    const next = `${unique()}@example.com`;
    const res = await call("PATCH", `/users/${u.user.user_id}`, { token: u.access_token, body: { email: next } });
    expect((await json(res)).email).toBe(u.user.email);
    expect((await call("POST", "/auth/login", { body: { email: next, password: u.password } })).status).toBe(401);
    const token = await codeSentTo(next, /Confirm your new email/);
    const confirmed = await json(await call("POST", "/auth/email/verify", { body: { token } }));
    expect(confirmed.email).toBe(next);
    expect(confirmed.email_verified).toBe(true);
    expect((await call("POST", "/auth/login", { body: { email: next, password: u.password } })).status).toBe(200);
    // The old address is free again.
    expect(
      (
        await call("POST", "/auth/signup", {
          body: { email: u.user.email, username: unique(), password: "password123" },
        })
      ).status,
    ).toBe(201);
  });

  it("answers a change to a taken address exactly like one to a free address", async () => {
    const [a, b] = [await signup(), await signup()];
    const taken = await call("PATCH", `/users/${a.user.user_id}`, {
      token: a.access_token,
      body: { email: b.user.email },
    });
    const free = await call("PATCH", `/users/${a.user.user_id}`, {
      token: a.access_token,
      body: { email: `${unique()}@example.com` },
    });
    expect(taken.status).toBe(free.status);
    expect(Object.keys(await json(taken)).sort()).toEqual(Object.keys(await json(free)).sort());
  });
});

describe("password reset, change, sign out everywhere", () => {
  it("answers a reset request the same for a known and an unknown address", async () => {
    const u = await signup();
    const known = await call("POST", "/auth/password/forgot", { body: { email: u.user.email } });
    const unknown = await call("POST", "/auth/password/forgot", { body: { email: `${unique()}@example.com` } });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await known.text()).toBe(await unknown.text());
  });

  it("resets with the mailed code: the old password and every session stop working, the address is verified", async () => {
    const u = await signup();
    await call("POST", "/auth/password/forgot", { body: { email: u.user.email } });
    const token = await codeSentTo(u.user.email, /Reset your password/);
    expect((await call("POST", "/auth/password/reset", { body: { token, password: "brand-new-pass-1" } })).status).toBe(
      204,
    );
    expect((await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } })).status).toBe(
      401,
    );
    const login = await json(
      await call("POST", "/auth/login", { body: { email: u.user.email, password: "brand-new-pass-1" } }),
    );
    expect(login.user.email_verified).toBe(true);
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } })).status).toBe(401);
    expect((await call("POST", "/auth/password/reset", { body: { token, password: "another-pass-22" } })).status).toBe(
      401,
    );
  });

  it("changes the password only with the current one, and ends every session", async () => {
    const u = await signup();
    const wrong = await call("POST", "/auth/password/change", {
      token: u.access_token,
      body: { current_password: "not-it-000", new_password: "changed-pass-1" },
    });
    expect(wrong.status).toBe(401);
    const ok = await call("POST", "/auth/password/change", {
      token: u.access_token,
      body: { current_password: u.password, new_password: "changed-pass-1" },
    });
    expect(ok.status).toBe(204);
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: u.refresh_token } })).status).toBe(401);
    expect(
      (await call("POST", "/auth/login", { body: { email: u.user.email, password: "changed-pass-1" } })).status,
    ).toBe(200);
  });

  it("signs out everywhere", async () => {
    const u = await signup();
    const second = await json(
      await call("POST", "/auth/login", { body: { email: u.user.email, password: u.password } }),
    );
    expect((await call("POST", "/auth/sessions/revoke", { token: u.access_token })).status).toBe(204);
    for (const t of [u.refresh_token, second.refresh_token])
      expect((await call("POST", "/auth/refresh", { body: { refresh_token: t } })).status).toBe(401);
  });

  it("keeps no sent code in the notifications table", async () => {
    const u = await signup();
    await codeSentTo(u.user.email, /Confirm your email/);
    await vi.waitFor(
      async () => {
        let bodies: string[] = [];
        for (const db of [env.DB, env.ORDERS_DB_1]) {
          const rows = await db
            .prepare("SELECT body FROM notifications WHERE user_id = ? AND kind = 'account_security'")
            .bind(u.user.user_id)
            .all<{ body: string }>();
          bodies = bodies.concat(rows.results.map((r) => r.body));
        }
        expect(bodies.length).toBeGreaterThan(0);
        for (const b of bodies) expect(b).not.toMatch(/usr_[0-9A-Za-z]+\./);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});
