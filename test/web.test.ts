import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { indexProducts } from "../src/services/search";
import { adminUser, call, createCategory, createProduct, json, signup, unique } from "./helpers";

describe("storefront pages", () => {
  it("renders the home, search, product and app pages server-side as accessible HTML", async () => {
    const cat = await createCategory(`Web ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, {
      name: "Aurora Desk Lamp",
      brand: "Lumen",
      stock_available: 4,
    });
    const home = await call("GET", "/store");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toContain("text/html");
    const homeHtml = await home.text();
    expect(homeHtml).toContain('<html lang="en">');
    expect(homeHtml).toContain("Skip to content");

    const product = await (await call("GET", `/store/product/${p.product_id}`)).text();
    expect(product).toContain("Aurora Desk Lamp");
    expect(product).toContain('for="qty"');
    expect(product).toContain("4 in stock");

    const search = await call("GET", "/store/search?q=aurora%20lamp");
    expect(search.status).toBe(200);
    expect(await search.text()).toContain("Aurora Desk Lamp");
    // Bad parameters fall back to a plain browse page rather than an error page.
    expect((await call("GET", "/store/search?min_price=abc&sort=nope")).status).toBe(200);

    for (const path of [
      "/store/cart",
      "/store/checkout",
      "/store/orders",
      "/store/account",
      "/dashboard",
      "/admin-ui",
    ]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('id="app"');
    }
    // The seller dashboard and the admin are one page per job, each with its section navigation
    // rendered on the server, the current page marked.
    for (const [path, page, nav] of [
      ["/dashboard", "seller-overview", "Seller dashboard"],
      ["/dashboard/orders", "seller-orders", "Seller dashboard"],
      ["/dashboard/orders/ord_01ABC", "seller-order", "Seller dashboard"],
      ["/dashboard/products", "seller-products", "Seller dashboard"],
      ["/dashboard/returns", "seller-returns", "Seller dashboard"],
      ["/dashboard/payouts", "seller-payouts", "Seller dashboard"],
      ["/dashboard/promotions", "seller-promotions", "Seller dashboard"],
      ["/dashboard/webhooks", "seller-webhooks", "Seller dashboard"],
      ["/admin-ui", "admin-overview", "Admin"],
      ["/admin-ui/reviews", "admin-reviews", "Admin"],
      ["/admin-ui/users", "admin-users", "Admin"],
      ["/admin-ui/categories", "admin-categories", "Admin"],
      ["/admin-ui/commissions", "admin-commissions", "Admin"],
      ["/admin-ui/coupons", "admin-coupons", "Admin"],
      ["/admin-ui/dead-letters", "admin-dead-letters", "Admin"],
    ]) {
      const html = await (await call("GET", path)).text();
      // Standards mode: without a doctype the browser renders in quirks mode.
      expect(html.startsWith('<!DOCTYPE html><html lang="en">'), path).toBe(true);
      expect(html, path).toContain(`data-page="${page}"`);
      expect(html, path).toContain(`<nav class="subnav" aria-label="${nav}">`);
      expect(html.match(/aria-current="page"/g), path).toHaveLength(1);
    }
    const missing = await call("GET", "/store/product/prd_NOPE");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("We could not find that product");
    // Other unknown page addresses are a page too; the API's stay JSON.
    for (const path of ["/store/nowhere", "/dashboard/nowhere", "/admin-ui/a/b"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("text/html");
      expect(await res.text(), path).toContain("We could not find that page");
    }
    const api = await call("GET", "/nowhere");
    expect(api.status).toBe(404);
    expect((await json(api)).error.code).toBe("not_found");
  });

  it("shows an auction's live price, countdown and bid form instead of add-to-cart", async () => {
    const cat = await createCategory(`Lots ${unique()}`);
    const seller = await signup({ role: "seller" });
    const res = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: "Vintage Leica M3",
        description: "1957",
        category_id: cat.category_id,
        auction: {
          start_price: 50000,
          buy_now_price: 120000,
          ends_at: new Date(Date.now() + 2 * 86400_000).toISOString(),
        },
      },
    });
    const p = await json(res);
    const page = await (await call("GET", `/store/product/${p.product_id}`)).text();
    expect(page).toContain('id="auction"');
    expect(page).toContain('<span class="price big" id="auction-price">$500.00</span>');
    expect(page).toContain('<label for="max-bid">Your maximum ($)</label>');
    expect(page).toMatch(/<form id="add-form" class="inline" hidden="">/);
    await indexProducts(env, [p.product_id]);
    const results = await (await call("GET", "/store/search?q=leica&listing=auction&sort=ending_soonest")).text();
    expect(results).toContain("Auction · bids from $500.00");
    expect(results).toContain("<h2>Format</h2>");
  });

  it("lets a buyer pick a variant on the product page, and shows attribute facets on the search page", async () => {
    const admin = await adminUser();
    const cat = await createCategory(`Knitwear ${unique()}`);
    await call("POST", `/categories/${cat.category_id}/attributes`, {
      token: admin.access_token,
      body: { name: "size", type: "enum", values: ["S", "M", "L"], variant_option: true, facet: true },
    });
    const seller = await signup({ role: "seller" });
    const word = `qx${unique()
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
    const res = await call("POST", "/products", {
      token: seller.access_token,
      body: {
        name: `${word} Merino Sweater`,
        description: "Warm",
        price: 12000,
        category_id: cat.category_id,
        variants: [
          { options: { size: "S" }, stock_available: 0 },
          { options: { size: "M" }, stock_available: 2 },
          { options: { size: "L" }, stock_available: 1, price: 13000 },
        ],
      },
    });
    const p = await json(res);
    const page = await (await call("GET", `/store/product/${p.product_id}`)).text();
    expect(page).toContain('<label for="variant">Size</label>');
    expect(page).toMatch(/<option value="var_[^"]+" disabled="">S · \$120\.00 · sold out<\/option>/);
    expect(page).toMatch(/<option value="var_[^"]+" selected="">M · \$120\.00 · 2 left<\/option>/);
    expect(page).toContain("L · $130.00 · 1 left");
    await indexProducts(env, [p.product_id]);
    const search = await (await call("GET", `/store/search?q=${word}`)).text();
    expect(search).toContain("<h2>Size</h2>");
    expect(search).toMatch(/href="\/store\/search\?q=[^"]*&amp;size=M">M \(1\)/);
    const filtered = await (await call("GET", `/store/search?q=${word}&size=S`)).text();
    expect(filtered).toContain("0 products");
  });

  it("filters the search page by rating and availability, as plain links", async () => {
    const cat = await createCategory(`Filters ${unique()}`);
    const seller = await signup({ role: "seller" });
    const word = `zq${unique()
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
    const inStock = await createProduct(seller, cat.category_id, { name: `${word} Kettle`, stock_available: 3 });
    const soldOut = await createProduct(seller, cat.category_id, { name: `${word} Teapot`, stock_available: 0 });
    await indexProducts(env, [inStock.product_id, soldOut.product_id]);
    const all = await (await call("GET", `/store/search?q=${word}`)).text();
    expect(all).toContain("2 products");
    expect(all).toMatch(/href="\/store\/search\?q=[^"]*&amp;in_stock=true">In stock only/);
    expect(all).toMatch(/href="\/store\/search\?q=[^"]*&amp;min_rating=4">4 stars and up/);
    const available = await (await call("GET", `/store/search?q=${word}&in_stock=true`)).text();
    expect(available).toContain("1 products");
    expect(available).toContain(`${word} Kettle`);
    expect(available).not.toContain(`${word} Teapot`);
    // Nothing here has a review yet, so nothing is rated 4 and up.
    expect(await (await call("GET", `/store/search?q=${word}&min_rating=4`)).text()).toContain("0 products");
  });
});
