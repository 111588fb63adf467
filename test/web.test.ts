import { describe, expect, it } from "vitest";
import { call, createCategory, createProduct, signup, unique } from "./helpers";

describe("storefront pages", () => {
  it("renders the home, search, product and app pages server-side as accessible HTML", async () => {
    const cat = await createCategory(`Web ${unique()}`);
    const seller = await signup({ role: "seller" });
    const p = await createProduct(seller, cat.category_id, { name: "Aurora Desk Lamp", brand: "Lumen", stock_available: 4 });
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

    for (const path of ["/store/cart", "/store/checkout", "/store/orders", "/store/account", "/dashboard", "/admin-ui"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('id="app"');
    }
    expect((await call("GET", "/store/product/prd_NOPE")).status).toBe(404);

  });
});
