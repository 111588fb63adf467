import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminUser, call, json, signup, unique } from "../helpers";

const signupBody = () => ({ email: `${unique()}@example.com`, username: unique(), password: "password123" });

/** Finding 3 (high): the admin bootstrap needs a secret, works once, and promotions are audited. */
describe("admin bootstrap", () => {
  it("does not make an admin of whoever signs up with an admin-looking address", async () => {
    const res = await call("POST", "/auth/signup", {
      body: { ...signupBody(), email: `admin+${unique()}@admin.test` },
    });
    expect((await json(res)).user.role).toBe("buyer");
  });

  it("refuses a wrong bootstrap token with 403 and creates nothing", async () => {
    const body = signupBody();
    const res = await call("POST", "/auth/signup", { body, headers: { "x-admin-bootstrap": "not-the-token-000000" } });
    expect(res.status).toBe(403);
    expect((await call("POST", "/auth/login", { body: { email: body.email, password: body.password } })).status).toBe(
      401,
    );
  });

  it("is one-shot: once an admin exists, even the right token is refused", async () => {
    await adminUser();
    const res = await call("POST", "/auth/signup", {
      body: signupBody(),
      headers: { "x-admin-bootstrap": env.ADMIN_BOOTSTRAP_TOKEN },
    });
    expect(res.status).toBe(403);
  });
});

describe("role changes", () => {
  it("lets an admin promote a user, ends the user's sessions, and writes the audit log", async () => {
    const admin = await adminUser();
    const user = await signup();
    const res = await call("POST", `/admin/users/${user.user.user_id}/role`, {
      token: admin.access_token,
      body: { role: "seller" },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).role).toBe("seller");
    // The old refresh token (a buyer's session) no longer works; a new sign-in carries the role.
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: user.refresh_token } })).status).toBe(401);
    const login = await json(
      await call("POST", "/auth/login", { body: { email: user.user.email, password: user.password } }),
    );
    expect(login.user.role).toBe("seller");
    const log = await json(await call("GET", "/admin/audit-log?limit=100", { token: admin.access_token }));
    const entry = log.data.find((e: any) => e.target_id === user.user.user_id);
    expect(entry).toMatchObject({
      action: "user.role_changed",
      actor_id: admin.user.user_id,
      details: { from: "buyer", to: "seller" },
    });
  });

  it("refuses role changes by non-admins and an admin demoting themselves", async () => {
    const admin = await adminUser();
    const seller = await signup({ role: "seller" });
    const res = await call("POST", `/admin/users/${seller.user.user_id}/role`, {
      token: seller.access_token,
      body: { role: "admin" },
    });
    expect(res.status).toBe(403);
    const self = await call("POST", `/admin/users/${admin.user.user_id}/role`, {
      token: admin.access_token,
      body: { role: "buyer" },
    });
    expect(self.status).toBe(409);
    expect((await call("GET", "/admin/audit-log", { token: seller.access_token })).status).toBe(403);
  });
});

describe("account suspension", () => {
  it("an admin suspends an account: its sessions end, it cannot sign in or refresh until restored; both audited", async () => {
    const admin = await adminUser();
    const user = await signup();
    const suspend = (suspended: boolean, reason = "chargeback fraud") =>
      call("POST", `/admin/users/${user.user.user_id}/suspension`, {
        token: admin.access_token,
        body: { suspended, reason },
      });
    const res = await suspend(true);
    expect(res.status).toBe(200);
    expect((await json(res)).suspended_at).toBeTruthy();
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: user.refresh_token } })).status).toBe(401);
    const denied = await call("POST", "/auth/login", { body: { email: user.user.email, password: user.password } });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe("account_suspended");
    // A wrong password is the usual 401: suspension is told only to whoever knows the password.
    const guess = await call("POST", "/auth/login", { body: { email: user.user.email, password: "wrong-password" } });
    expect(guess.status).toBe(401);
    // Suspending again changes nothing; restoring lets them back in.
    expect((await suspend(true)).status).toBe(200);
    const restored = await suspend(false, "cleared by support");
    expect((await json(restored)).suspended_at).toBeNull();
    const login = await call("POST", "/auth/login", { body: { email: user.user.email, password: user.password } });
    expect(login.status).toBe(200);
    const log = await json(await call("GET", "/admin/audit-log?limit=100", { token: admin.access_token }));
    const mine = log.data.filter((e: any) => e.target_id === user.user.user_id).map((e: any) => [e.action, e.details]);
    expect(mine).toEqual(
      expect.arrayContaining([
        ["user.suspended", { reason: "chargeback fraud" }],
        ["user.restored", { reason: "cleared by support" }],
      ]),
    );
    expect(mine.filter(([a]: string[]) => a === "user.suspended")).toHaveLength(1);
  });

  it("a refresh token in hand stops working when its account is suspended, and an admin cannot suspend themselves", async () => {
    const admin = await adminUser();
    const user = await signup();
    const fresh = await json(
      await call("POST", "/auth/login", { body: { email: user.user.email, password: user.password } }),
    );
    await call("POST", `/admin/users/${user.user.user_id}/suspension`, {
      token: admin.access_token,
      body: { suspended: true, reason: "spam" },
    });
    expect((await call("POST", "/auth/refresh", { body: { refresh_token: fresh.refresh_token } })).status).toBe(401);
    const self = await call("POST", `/admin/users/${admin.user.user_id}/suspension`, {
      token: admin.access_token,
      body: { suspended: true, reason: "oops" },
    });
    expect(self.status).toBe(409);
    for (const body of [{ suspended: true }, { suspended: "yes", reason: "x" }, { suspended: true, reason: "" }]) {
      const bad = await call("POST", `/admin/users/${user.user.user_id}/suspension`, {
        token: admin.access_token,
        body,
      });
      expect(bad.status).toBe(400);
    }
    expect(
      (
        await call("POST", "/admin/users/usr_00000000000000000000000000/suspension", {
          token: admin.access_token,
          body: { suspended: true, reason: "x" },
        })
      ).status,
    ).toBe(404);
  });
});

/** Finding 4 (high): a remote seed carries no known password: no admin, no buyers, locked sellers. */
describe("remote seed", () => {
  it("loads the catalog with seller accounts nobody can sign in to, and no admin or buyers", () => {
    const sql = env.TEST_REMOTE_SEED_SQL;
    expect(sql).toMatch(/INSERT (OR IGNORE )?INTO products/);
    expect(sql).not.toMatch(/scrypt\$/);
    expect(sql).not.toContain("@buyers.marketplace.local");
    expect(sql).not.toMatch(/'admin'/);
    expect(sql).toMatch(/'locked\$/);
  });
});
