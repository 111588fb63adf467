import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminUser, call, createCategory, createProduct, json, signup, type TestUser } from "./helpers";

/**
 * A security suite generated from /openapi.json: every operation is called as
 * anonymous, as a buyer and a seller who own nothing involved, and with a body
 * carrying an unknown field. The access matrix below is the rule each answer is
 * checked against (OWASP API Top 10: BOLA, BFLA, mass assignment); every
 * response is scanned for secrets. It prints how many probes ran and how many got
 * through (the goal: 0).
 */

type Op = { method: string; path: string; secured: boolean; body: boolean };

/** Operations only admins may call. */
const ADMIN_ONLY = [
  "POST /categories",
  "PATCH /categories/{category_id}",
  "DELETE /categories/{category_id}",
  "GET /users",
  "POST /notifications",
  "POST /notifications/broadcast",
  "GET /analytics/platform",
  "GET /analytics/platform/timeseries",
  "GET /analytics/tax",
  "GET /analytics/drift",
  "GET /admin/dead-letters",
  "GET /admin/health",
  "GET /admin/payments/capture-policy",
  "PUT /admin/payments/capture-policy",
  "GET /dev/messages",
  "POST /search/reindex",
  "GET /search/stats",
  "POST /wallet/credits",
  "POST /reviews/{review_id}/moderation",
  "GET /admin/reviews",
  "POST /admin/users/{user_id}/role",
  "POST /admin/users/{user_id}/suspension",
  "GET /admin/audit-log",
  "POST /admin/dead-letters/{dead_letter_id}/replay",
  "POST /admin/dead-letters/replay",
  "POST /admin/wallet-key/reseal",
  "GET /admin/commissions",
  "PUT /admin/commissions",
  "PUT /admin/sellers/{seller_id}/payout-hold",
  "GET /admin/sellers/{seller_id}/balance",
  "PUT /admin/sellers/{seller_id}/hold-days",
  "GET /admin/revenue",
  "POST /categories/{category_id}/attributes",
  "PUT /admin/fx-rates",
];
/** Operations only sellers (or admins) may call. */
const SELLER_ONLY = [
  "GET /seller/settings",
  "PATCH /seller/settings",
  "POST /seller/payouts",
  "PUT /seller/payout-account",
  "GET /seller/statements/{month}",
  "GET /seller/balance",
  "GET /seller/ledger",
  "GET /seller/payouts",
  "POST /products",
  "POST /products/bulk",
  "POST /coupons",
  "GET /coupons",
  "GET /seller/orders",
  "GET /analytics/seller",
  "GET /analytics/seller/timeseries",
  "GET /analytics/seller/conversion",
  "POST /webhooks",
  "GET /webhooks",
  "PUT /seller/shipping-profile",
  "GET /seller/shipping-profile",
  "GET /seller/auctions",
  "POST /auctions/{product_id}/second-chance",
];
/** Operations on a resource someone owns: a stranger must get 403 or 404, never 2xx. */
const OWNED = [
  "PATCH /users/{user_id}",
  "GET /users/{user_id}/export",
  "POST /users/{user_id}/erase",
  "GET /orders/{order_id}",
  "POST /orders/{order_id}/status",
  "PATCH /products/{product_id}",
  "DELETE /products/{product_id}",
  "POST /products/{product_id}/variants",
  "POST /auctions/{product_id}/second-chance",
  "PATCH /products/{product_id}/variants/{variant_id}",
  "POST /inventory/{product_id}",
  "GET /inventory/{product_id}",
  "POST /inventory/{product_id}/holds",
  "DELETE /wallet/payment-methods/{payment_method_id}",
  "GET /users/{user_id}/notification-preferences",
  "PATCH /users/{user_id}/notification-preferences",
  "PATCH /reviews/{review_id}",
  "DELETE /webhooks/{webhook_id}",
  "GET /webhooks/{webhook_id}/deliveries",
];

const SECRET_PATTERNS: [string, RegExp][] = [
  ["password hash", /scrypt\$\d+\$/],
  ["password field", /"(password_hash|hashed_password|passwordHash)"/],
  ["card number", /\b(?:4\d{15}|5[1-5]\d{14}|3[47]\d{13})\b/],
  ["sealed secret", /"(encrypted_ref|sealed_secret)"/],
  ["refresh token hash", /"token_hash"/],
];

const ops: Op[] = [];
const ids: Record<string, string> = {};
let owner: TestUser;
let sellerA: TestUser;
let buyerB: TestUser;
let sellerB: TestUser;
let admin: TestUser;

beforeAll(async () => {
  const doc = await json(await call("GET", "/openapi.json"));
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "patch", "delete", "put"].includes(method)) continue;
      ops.push({ method: method.toUpperCase(), path, secured: !!op.security?.length, body: !!op.requestBody });
    }
  }
  admin = await adminUser();
  owner = await signup();
  sellerA = await signup({ role: "seller" });
  buyerB = await signup();
  sellerB = await signup({ role: "seller" });
  const cat = await createCategory(`Sec ${Date.now()}`);
  const product = await createProduct(sellerA, cat.category_id, { stock_available: 50 });
  await call("POST", "/cart/add", { token: owner.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const order = await json(
    await call("POST", "/orders", {
      token: owner.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: "1 Main St" },
    }),
  );
  await call("POST", `/orders/${order.order_id}/status`, {
    token: sellerA.access_token,
    body: { status: "shipped", tracking_number: "T" },
  });
  await call("POST", `/orders/${order.order_id}/status`, {
    token: sellerA.access_token,
    body: { status: "delivered" },
  });
  const review = await json(
    await call("POST", "/reviews", {
      token: owner.access_token,
      body: { product_id: product.product_id, rating: 4, comment: "fine" },
    }),
  );
  const method = await json(
    await call("POST", "/wallet/payment-methods", {
      token: owner.access_token,
      body: { payment_method: "pm_card_visa" },
    }),
  );
  const hook = await json(
    await call("POST", "/webhooks", { token: sellerA.access_token, body: { url: "http://127.0.0.1:9/x" } }),
  );
  Object.assign(ids, {
    user_id: owner.user.user_id,
    product_id: product.product_id,
    category_id: cat.category_id,
    order_id: order.order_id,
    review_id: review.review_id,
    payment_method_id: method.payment_method_id,
    webhook_id: hook.webhook_id,
    reservation_id: "probe-hold",
    variant_id: product.variants[0].variant_id,
  });
}, 60_000);

const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_, k) => ids[k] ?? "x");
const key = (op: Op) => `${op.method} ${op.path}`;
/** Each test's own findings (a fresh list per test: one test's finding never fails another); the tally of all for the summary. */
let findings: string[] = [];
const allFindings: string[] = [];
let probes = 0;
beforeEach(() => {
  findings = [];
});
afterEach(() => {
  allFindings.push(...findings);
});

async function probe(op: Op, who: TestUser | null, body?: unknown) {
  probes++;
  const res = await call(op.method, fill(op.path), {
    token: who?.access_token,
    body: body ?? (op.body ? {} : undefined),
  });
  const text = await res.text();
  for (const [name, re] of SECRET_PATTERNS) if (re.test(text)) findings.push(`${key(op)} leaked a ${name}`);
  if (res.status >= 500) findings.push(`${key(op)} answered ${res.status}`);
  return { status: res.status, text };
}

describe("security suite from /openapi.json", () => {
  it("covers every documented operation", () => {
    expect(ops.length).toBeGreaterThan(60);
  });

  it("anonymous callers get 401 on every secured operation", async () => {
    for (const op of ops.filter((o) => o.secured)) {
      const r = await probe(op, null);
      if (r.status !== 401) findings.push(`anonymous ${key(op)} -> ${r.status}`);
    }
    expect(findings).toEqual([]);
  });

  it("admin-only and seller-only operations refuse other roles (BFLA)", async () => {
    for (const op of ops.filter((o) => ADMIN_ONLY.includes(key(o)))) {
      for (const who of [buyerB, sellerB]) {
        const r = await probe(op, who);
        if (r.status !== 403) findings.push(`${who.user.role} ${key(op)} -> ${r.status}`);
      }
    }
    for (const op of ops.filter((o) => SELLER_ONLY.includes(key(o)))) {
      const r = await probe(op, buyerB);
      if (r.status !== 403) findings.push(`buyer ${key(op)} -> ${r.status}`);
    }
    expect(findings).toEqual([]);
    // Every admin- and seller-only operation in the list exists in the document.
    for (const k of [...ADMIN_ONLY, ...SELLER_ONLY]) expect(ops.map(key)).toContain(k);
  });

  it("a stranger never reads or changes someone else's resource (BOLA)", async () => {
    for (const op of ops.filter((o) => OWNED.includes(key(o)))) {
      for (const who of [buyerB, sellerB]) {
        const r = await probe(
          op,
          who,
          op.body ? { status: "cancelled", quantity: 1, price: 1, rating: 1, order_shipped: ["in_app"] } : undefined,
        );
        if (r.status < 400) findings.push(`${who.user.role} stranger ${key(op)} -> ${r.status}`);
      }
    }
    // Public profiles show no email or phone to strangers.
    const profile = await json(await call("GET", `/users/${owner.user.user_id}`, { token: buyerB.access_token }));
    expect(profile.email).toBeUndefined();
    // Refunds: a stranger cannot refund the owner's order.
    expect(
      (
        await call("POST", "/payments/refunds", {
          token: buyerB.access_token,
          body: { order_id: ids.order_id, reason: "x" },
        })
      ).status,
    ).toBe(404);
    for (const k of OWNED) expect(ops.map(key)).toContain(k);
    expect(findings).toEqual([]);
  });

  it("unknown fields in any body are refused (mass assignment)", async () => {
    for (const op of ops.filter((o) => o.body && !o.path.includes("webhooks/stripe"))) {
      const r = await probe(op, admin, { is_admin: true, role: "admin", seller_id: "usr_x", user_id_override: "x" });
      if (r.status < 400) findings.push(`${key(op)} accepted unknown fields (${r.status})`);
    }
    expect(findings).toEqual([]);
  });

  it("prints its counts", () => {
    console.log(`security suite: ${ops.length} operations, ${probes} probes, ${allFindings.length} got through`);
    expect(probes).toBeGreaterThan(ops.length);
    void env;
  });
});

describe("write rate limits", () => {
  it("answers 429 with Retry-After once a user exceeds the writes per minute", async () => {
    const user = await signup();
    let limited: Response | null = null;
    // 50 at a time, so the limit (600 a minute) is reached in seconds even on a loaded machine.
    for (let i = 0; i < 30 && !limited; i++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () =>
          call("POST", "/cart/remove", { token: user.access_token, body: { product_id: "prd_NOTINCART" } }),
        ),
      );
      limited = batch.find((r) => r.status === 429) ?? null;
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await json(limited!)).error.code).toBe("rate_limited");
  });
});
