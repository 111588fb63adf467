import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../src/lib/crypto";
import { recordDeadLetter } from "../src/queues/dead-letters";
import { resealUnderCurrentKey } from "../src/services/operations";
import { resolveMethod } from "../src/services/wallet";
import { adminUser, call, json, signup, unique } from "./helpers";

/** Issue 17, operations an on-call person needs. */
describe("WALLET_KEY rotation", () => {
  it("opens old rows with the previous key, re-seals them under the new one, then needs only the new one", async () => {
    const buyer = await signup();
    const saved = await call("POST", "/wallet/payment-methods", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_mastercard" },
    });
    expect(saved.status).toBe(201);
    const id = (await json(saved)).payment_method_id;
    // (The provider's method id is sealed; the card's brand and last 4 digits are shown without opening it.)
    const opened = async (e: typeof env) => (await resolveMethod(e, buyer.user.user_id, id)).method;
    const newKey = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const rotating = { ...env, WALLET_KEY: newKey, WALLET_KEY_PREVIOUS: env.WALLET_KEY };
    expect(await opened(rotating)).toBe("pm_card_mastercard");
    // Without the previous key the old row cannot be opened yet.
    await expect(opened({ ...env, WALLET_KEY: newKey })).rejects.toThrow();
    let progress = { resealed: 0, done: false };
    let total = 0;
    for (let i = 0; i < 50 && !progress.done; i++) {
      progress = await resealUnderCurrentKey(rotating as Env);
      total += progress.resealed;
    }
    expect(progress.done).toBe(true);
    expect(total).toBeGreaterThanOrEqual(1);
    expect(await opened({ ...env, WALLET_KEY: newKey })).toBe("pm_card_mastercard");
    // A second run has nothing left to move.
    expect((await resealUnderCurrentKey(rotating as Env)).resealed).toBe(0);
  });
});

describe("JWT key rotation", () => {
  it("signs new tokens with the current key of the ring", async () => {
    const u = await signup();
    const header = JSON.parse(atob(u.access_token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
    expect(header.kid).toBe(JSON.parse(env.JWT_KEYS).current);
  });
});

describe("dead-letter replay", () => {
  it("replays every parked message of a queue once, and records it in the audit log", async () => {
    const admin = await adminUser();
    const queue = "marketplace-notifications";
    for (let i = 0; i < 3; i++) {
      await recordDeadLetter(
        env,
        queue,
        { id: unique("m"), body: { notification_id: `ntf_GONE${unique()}`.toUpperCase() }, attempts: 5 },
        "test",
      );
    }
    const first = await json(
      await call("POST", "/admin/dead-letters/replay", { token: admin.access_token, body: { queue } }),
    );
    expect(first.replayed).toBeGreaterThanOrEqual(3);
    const second = await json(
      await call("POST", "/admin/dead-letters/replay", { token: admin.access_token, body: { queue } }),
    );
    expect(second.replayed).toBe(0);
    const log = await json(await call("GET", "/admin/audit-log?limit=20", { token: admin.access_token }));
    expect(log.data.some((e: any) => e.action === "dead_letter.replayed_many")).toBe(true);
    const buyer = await signup();
    expect((await call("POST", "/admin/dead-letters/replay", { token: buyer.access_token, body: {} })).status).toBe(
      403,
    );
  });
});
