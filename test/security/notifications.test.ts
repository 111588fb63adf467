import { beforeAll, describe, expect, it, vi } from "vitest";
import { quotedProductName } from "../../src/services/notifications/from-events";
import { call, createCategory, createProduct, json, signup, unique } from "../helpers";

let categoryId: string;
beforeAll(async () => {
  categoryId = (await createCategory(unique("Notices"))).category_id;
});

/** Finding 10 (medium): back-in-stock flooding, and seller-chosen text in the platform's voice. */
describe("back-in-stock notices", () => {
  it("quotes a product name without links or addresses, cut short", () => {
    const q = quotedProductName(
      "Visit evil.example to claim a refund at https://evil.example/x or mail help@evil.example now please hurry",
    );
    expect(q).not.toMatch(/evil\.example|https?:|@/);
    expect(q.length).toBeLessThanOrEqual(60);
    expect(quotedProductName("Sony WH-1000XM5 Headphones")).toBe("Sony WH-1000XM5 Headphones");
  });

  it("sends one notice per user and product a day, however often the seller toggles the stock", async () => {
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, categoryId, {
      name: "Visit evil.example to claim a refund",
      stock_available: 0,
    });
    const fan = await signup();
    expect(
      (await call("POST", "/wishlist", { token: fan.access_token, body: { product_id: product.product_id } })).status,
    ).toBe(201);
    for (let i = 0; i < 5; i++) {
      expect(
        (await call("POST", `/inventory/${product.product_id}`, { token: seller.access_token, body: { quantity: 1 } }))
          .status,
      ).toBe(200);
      expect(
        (await call("POST", `/inventory/${product.product_id}`, { token: seller.access_token, body: { quantity: -1 } }))
          .status,
      ).toBe(200);
    }
    const notices = async () =>
      (await json(await call("GET", "/notifications?limit=100", { token: fan.access_token }))).data.filter(
        (n: any) => n.kind === "back_in_stock",
      );
    await vi.waitFor(async () => expect((await notices()).length).toBeGreaterThanOrEqual(1), {
      timeout: 10_000,
      interval: 200,
    });
    // Let every toggle's event through the queue before counting.
    await new Promise((r) => setTimeout(r, 2500));
    const got = await notices();
    expect(got).toHaveLength(1);
    expect(got[0].body).not.toContain("evil.example");
    expect(got[0].data.product_id).toBe(product.product_id);
  }, 30_000);
});
