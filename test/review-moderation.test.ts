import { describe, expect, it } from "vitest";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** A buyer who received the product reviews it, through the real flow. */
async function review(product: { product_id: string }, seller: TestUser, rating: number, comment: string) {
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 1 } });
  const order = await json(
    await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: "pm_card_visa", shipping_address: "1 Main St, Springfield" },
    }),
  );
  for (const body of [{ status: "shipped", tracking_number: "TRK1" }, { status: "delivered" }])
    await call("POST", `/orders/${order.order_id}/status`, { token: seller.access_token, body });
  const res = await call("POST", "/reviews", {
    token: buyer.access_token,
    body: { product_id: product.product_id, rating, comment },
  });
  expect(res.status).toBe(201);
  return { buyer, review: await json(res) };
}

const queue = async (query = "") =>
  json(await call("GET", `/admin/reviews?limit=100${query}`, { token: (await adminUser()).access_token }));

describe("review moderation queue", () => {
  it("users report a review once each; the queue puts the most reported first; one click hides it and closes it", async () => {
    const cat = await createCategory(`Mod ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 20, price: 1500 });
    const quiet = await review(product, seller, 4, "Solid, does the job");
    const loud = await review(product, seller, 1, "BUY CHEAP WATCHES AT my-spam-site");

    const reporters = await Promise.all([signup(), signup(), signup()]);
    // Three distinct users, one of them twice at once: the count is of users, exactly.
    const reports = await Promise.all(
      [...reporters, reporters[0]].map((u) =>
        call("POST", `/reviews/${loud.review.review_id}/report`, { token: u.access_token, body: { reason: "spam" } }),
      ),
    );
    expect(reports.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const answers = await Promise.all(reports.map((r) => json(r)));
    expect(answers.filter((a) => a.already_reported)).toHaveLength(1);
    await call("POST", `/reviews/${quiet.review.review_id}/report`, {
      token: reporters[1].access_token,
      body: { reason: "off_topic", note: "not about the product" },
    });

    let open = await queue();
    const ids = open.data.map((r: { review_id: string }) => r.review_id);
    expect(ids.indexOf(loud.review.review_id)).toBeLessThan(ids.indexOf(quiet.review.review_id));
    const loudItem = open.data.find((r: { review_id: string }) => r.review_id === loud.review.review_id);
    expect(loudItem).toMatchObject({
      report_count: 3,
      report_reasons: { spam: 3 },
      product_name: product.name,
      moderated_at: null,
      status: "visible",
    });
    // Newest first is the other order.
    const newest = (await queue("&sort=newest")).data.map((r: { review_id: string }) => r.review_id);
    expect(newest.indexOf(loud.review.review_id)).toBeLessThan(newest.indexOf(quiet.review.review_id));

    // One click: hide the spam (the rating follows), keep the other (it leaves the open queue too).
    const admin = await adminUser();
    const hidden = await call("POST", `/reviews/${loud.review.review_id}/moderation`, {
      token: admin.access_token,
      body: { status: "hidden" },
    });
    expect((await json(hidden)).status).toBe("hidden");
    await call("POST", `/reviews/${quiet.review.review_id}/moderation`, {
      token: admin.access_token,
      body: { status: "visible" },
    });
    open = await queue();
    const openIds = open.data.map((r: { review_id: string }) => r.review_id);
    expect(openIds).not.toContain(loud.review.review_id);
    expect(openIds).not.toContain(quiet.review.review_id);
    const all = await queue("&queue=all&status=hidden");
    expect(
      all.data.find((r: { review_id: string }) => r.review_id === loud.review.review_id).moderated_at,
    ).toBeTruthy();
    const listed = await json(await call("GET", `/reviews?product_id=${product.product_id}`));
    expect(listed.rating_count).toBe(1);
    expect(listed.rating_average).toBe(4);

    // A new report after the decision puts the kept review back in the queue.
    const late = await signup();
    await call("POST", `/reviews/${quiet.review.review_id}/report`, {
      token: late.access_token,
      body: { reason: "fake" },
    });
    expect((await queue()).data.map((r: { review_id: string }) => r.review_id)).toContain(quiet.review.review_id);
  });

  it("refuses reports of your own review, of a hidden or unknown one, and bad bodies; the queue is the admin's", async () => {
    const cat = await createCategory(`Mod ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 5 });
    const { buyer, review: r } = await review(product, seller, 5, "Love it");
    const other = await signup();
    const own = await call("POST", `/reviews/${r.review_id}/report`, {
      token: buyer.access_token,
      body: { reason: "spam" },
    });
    expect(own.status).toBe(409);
    for (const body of [{}, { reason: "boring" }, { reason: "spam", note: "" }, { reason: "spam", extra: 1 }]) {
      const bad = await call("POST", `/reviews/${r.review_id}/report`, { token: other.access_token, body });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error.code).toBeTruthy();
    }
    expect(
      (await call("POST", "/reviews/rev_nope/report", { token: other.access_token, body: { reason: "spam" } })).status,
    ).toBe(404);
    expect((await call("POST", `/reviews/${r.review_id}/report`, { body: { reason: "spam" } })).status).toBe(401);
    const admin = await adminUser();
    await call("POST", `/reviews/${r.review_id}/moderation`, { token: admin.access_token, body: { status: "hidden" } });
    expect(
      (await call("POST", `/reviews/${r.review_id}/report`, { token: other.access_token, body: { reason: "spam" } }))
        .status,
    ).toBe(404);
    expect((await call("GET", "/admin/reviews", { token: seller.access_token })).status).toBe(403);
    expect((await call("GET", "/admin/reviews?sort=loudest", { token: admin.access_token })).status).toBe(400);
    expect((await call("GET", "/admin/reviews?cursor=zzz", { token: admin.access_token })).status).toBe(400);
  });

  it("pages through the queue with its cursor, no review twice", async () => {
    const cat = await createCategory(`Mod ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { stock_available: 10 });
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await review(product, seller, 3, `Review ${i}`)).review.review_id);
    const admin = await adminUser();
    for (const sort of ["reported", "newest"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { review_id: string }[]; next_cursor: string | null } = await json(
          await call("GET", `/admin/reviews?limit=2&queue=all&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`, {
            token: admin.access_token,
          }),
        );
        seen.push(...page.data.map((r) => r.review_id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of made) expect(seen).toContain(id);
    }
  });
});
