import { describe, expect, it } from "vitest";
import { adminUser, call, createCategory, createProduct, json, signup, unique, type TestUser } from "./helpers";

/** The seller dashboard and the admin, rendered on the server from the page cookie (src/routes/dashboard-pages.tsx). */
const COOKIE_MODE = { "x-refresh-cookie": "1" };
const address = { name: "Ada Buyer", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" };

const pageCookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("mp_page="))
    ?.split(";")[0];

/** Signs in as the browser does (cookie mode), answering the page cookie to send back. */
async function browserLogin(user: TestUser): Promise<{ cookie: string; setCookie: string }> {
  const res = await call("POST", "/auth/login", {
    body: { email: user.user.email, password: user.password },
    headers: COOKIE_MODE,
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("mp_page=")) ?? "";
  return { cookie: pageCookieOf(res) ?? "", setCookie };
}

const page = (path: string, cookie?: string) => call("GET", path, { headers: cookie ? { cookie } : {} });
const dataOf = (html: string) => {
  const m = /<template id="page-data">([\s\S]*?)<\/template>/.exec(html);
  return m
    ? JSON.parse(
        m[1]
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&amp;/g, "&"),
      )
    : null;
};

/** A buyer's order of a seller's product, paid by `paymentMethod` (a 3-D Secure card leaves it pending). */
async function sale(paymentMethod = "pm_card_visa") {
  const cat = await createCategory(`Dash ${unique()}`);
  const seller = await signup({ role: "seller" });
  const product = await createProduct(seller, cat.category_id, { name: `Quartz Kettle ${unique()}`, price: 3900 });
  const buyer = await signup();
  await call("POST", "/cart/add", { token: buyer.access_token, body: { product_id: product.product_id, quantity: 2 } });
  const order = await json(
    await call("POST", "/orders", {
      token: buyer.access_token,
      body: { payment_method: paymentMethod, shipping_address: address },
    }),
  );
  expect(order.status).toBe(paymentMethod === "pm_card_visa" ? "paid" : "pending_payment");
  return { seller, buyer, product, order };
}

describe("server-rendered dashboards", () => {
  it("sets an HttpOnly, SameSite=Strict page cookie at a browser sign-in, and only there", async () => {
    const user = await signup();
    const { setCookie } = await browserLogin(user);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//i);
    expect(setCookie).toMatch(/Max-Age=900/i);
    // An API client (no cookie mode) gets no cookie at all.
    const api = await call("POST", "/auth/login", { body: { email: user.user.email, password: user.password } });
    expect(api.headers.getSetCookie()).toEqual([]);
  });

  it("renders a seller's orders, order and products with their data before any script runs", async () => {
    const { seller, product, order } = await sale();
    const { cookie } = await browserLogin(seller);

    const orders = await page("/dashboard/orders", cookie);
    expect(orders.status).toBe(200);
    expect(orders.headers.get("cache-control")).toBe("private, no-store");
    const ordersHtml = await orders.text();
    expect(ordersHtml).not.toContain("Loading…");
    expect(ordersHtml).toContain(`href="/dashboard/orders/${order.order_id}"`);
    expect(ordersHtml).toContain(product.name);
    expect(ordersHtml).toContain("$78.00");
    // The filter is a plain GET form, so it works without script too.
    const filtered = await (await page("/dashboard/orders?status=shipped", cookie)).text();
    expect(filtered).not.toContain(order.order_id);
    expect(filtered).toContain("No orders match.");
    // What the view was rendered from rides along for the script, as inert text.
    expect(dataOf(ordersHtml).page.data[0].order_id).toBe(order.order_id);

    const one = await (await page(`/dashboard/orders/${order.order_id}`, cookie)).text();
    expect(one).toContain("Mark shipped");
    expect(one).toContain("1 Main St");

    const products = await (await page("/dashboard/products", cookie)).text();
    expect(products).toContain(product.name);
    expect(products).toContain(`data-restock="${product.product_id}"`);
  });

  it("shows a page only what the API shows its user: another seller's order is not found, a buyer is refused", async () => {
    const { buyer, order } = await sale();
    const other = await signup({ role: "seller" });
    const { cookie } = await browserLogin(other);
    const foreign = await (await page(`/dashboard/orders/${order.order_id}`, cookie)).text();
    expect(foreign).toContain('class="error"');
    expect(foreign).not.toContain("1 Main St");
    expect(await (await page("/dashboard/orders", cookie)).text()).not.toContain(order.order_id);

    const asBuyer = await browserLogin(buyer);
    const refused = await page("/dashboard/orders", asBuyer.cookie);
    expect(refused.status).toBe(403);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain("This page is for seller and admin accounts.");
    expect(refusedHtml).not.toContain(order.order_id);
    expect((await page("/admin-ui/users", asBuyer.cookie)).status).toBe(403);
  });

  it("renders a buyer's orders, order, notifications and wishlist, and not another buyer's order", async () => {
    const { buyer, product, order } = await sale();
    const { cookie } = await browserLogin(buyer);
    const orders = await (await page("/store/orders", cookie)).text();
    expect(orders).toContain(`href="/store/orders/${order.order_id}"`);
    expect(orders).not.toContain("Loading…");
    const one = await (await page(`/store/orders/${order.order_id}`, cookie)).text();
    expect(one).toContain('<strong id="order-status">paid</strong>');
    expect(one).toContain(product.name);
    expect(one).toContain("Shipment 1 of 1");
    await call("POST", "/wishlist", { token: buyer.access_token, body: { product_id: product.product_id } });
    const wishlist = await (await page("/store/wishlist", cookie)).text();
    expect(wishlist).toContain(`data-unwish="${product.product_id}"`);
    expect(await (await page("/store/notifications", cookie)).text()).toContain('id="read-all"');

    const stranger = await browserLogin(await signup());
    const theirs = await (await page(`/store/orders/${order.order_id}`, stranger.cookie)).text();
    expect(theirs).toContain('class="error"');
    expect(theirs).not.toContain(product.name);
    expect(await (await page("/store/orders", stranger.cookie)).text()).toContain("No orders yet.");
  });

  it("shows an order waiting for 3-D Secure as such, with the way to finish it", async () => {
    const { buyer, order } = await sale("pm_card_authenticationRequired");
    expect(order.status).toBe("pending_payment");
    const { cookie } = await browserLogin(buyer);
    const html = await (await page(`/store/orders/${order.order_id}`, cookie)).text();
    expect(html).toContain("Your bank asks you to confirm this payment");
    expect(html).toContain('id="confirm-3ds"');
  });

  it("renders the admin's pages for an admin", async () => {
    const admin = await adminUser();
    const { cookie } = await browserLogin(admin);
    const someone = await signup();
    const users = await (await page(`/admin-ui/users?q=${someone.user.username}`, cookie)).text();
    expect(users).toContain(someone.user.email);
    expect(users).toContain(`data-suspend="${someone.user.user_id}"`);
    const cats = await (await page("/admin-ui/categories", cookie)).text();
    expect(cats).toContain('id="new-cat"');
    for (const path of [
      "/admin-ui",
      "/admin-ui/reviews",
      "/admin-ui/commissions",
      "/admin-ui/coupons",
      "/admin-ui/dead-letters",
    ]) {
      const res = await page(path, cookie);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).not.toContain("Loading…");
      expect(html, path).not.toContain('class="error"');
    }
  });

  it("renders a signed-in buyer's cart with its lines and totals; a guest's cart page is the shell", async () => {
    const cat = await createCategory(`Dash ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { name: `Basalt Mug ${unique()}`, price: 1250 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 3 },
    });
    const { cookie } = await browserLogin(buyer);
    const res = await page("/store/cart", cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).not.toContain("Loading…");
    expect(html).toContain(product.name);
    expect(html).toContain(`data-remove="${product.product_id}"`);
    // Quantity steps in place: one more, and one fewer (3 units here, so it is enabled).
    expect(html).toContain(`data-inc="${product.product_id}"`);
    expect(html).toMatch(new RegExp(`data-dec="${product.product_id}"[^>]*aria-label="One fewer [^"]*">`));
    expect(html).toContain("Total $37.50");
    expect(dataOf(html).c.items).toHaveLength(1);
    // Another buyer's page shows their own (empty) cart, never this one.
    const stranger = await browserLogin(await signup());
    const theirs = await (await page("/store/cart", stranger.cookie)).text();
    expect(theirs).toContain("Your cart is empty.");
    expect(theirs).not.toContain(product.name);
    // A guest (no page cookie): the shell, which the script fills from the guest cart.
    const guest = await (await page("/store/cart")).text();
    expect(guest).toContain("Loading…");
    expect(guest).not.toContain(product.name);
  });

  it("renders a signed-in buyer's checkout: the form first, then the quoted shipping and total once the cart has an address", async () => {
    const cat = await createCategory(`Dash ${unique()}`);
    const seller = await signup({ role: "seller" });
    const product = await createProduct(seller, cat.category_id, { name: `Slate Bowl ${unique()}`, price: 2000 });
    const buyer = await signup();
    await call("POST", "/cart/add", {
      token: buyer.access_token,
      body: { product_id: product.product_id, quantity: 1 },
    });
    const { cookie } = await browserLogin(buyer);
    const before = await page("/store/checkout", cookie);
    expect(before.status).toBe(200);
    expect(before.headers.get("cache-control")).toBe("private, no-store");
    const form = await before.text();
    expect(form).not.toContain("Loading…");
    expect(form).toContain('id="pay"');
    expect(form).toContain('<fieldset id="step-payment" hidden>');
    expect(form).toContain('data-step="address" aria-current="step"');

    const quoted = await call("POST", "/cart/shipping-address", {
      token: buyer.access_token,
      body: {
        address: { name: "Ada", line1: "1 Main St", city: "Austin", postal_code: "78701", country: "US", region: "TX" },
      },
    });
    expect(quoted.status).toBe(200);
    const { total } = (await quoted.json()) as { total: number };
    const after = await (await page("/store/checkout", cookie)).text();
    expect(after).toContain('<fieldset id="step-payment">');
    expect(after).toContain('data-step="payment" aria-current="step"');
    expect(after).toContain('type="radio"');
    expect(after).toContain(`Place order · $${(total / 100).toFixed(2)}`);
    expect(after).toContain('value="Austin"');
    expect(dataOf(after).c.total).toBe(total);

    // An empty cart says so; a guest gets the shell (the script sends them to sign in).
    const stranger = await browserLogin(await signup());
    expect(await (await page("/store/checkout", stranger.cookie)).text()).toContain("Your cart is empty.");
    expect(await (await page("/store/checkout")).text()).toContain("Loading…");
  });

  it("falls back to the shell without a valid cookie, and the API never takes the cookie as a sign-in", async () => {
    const { seller } = await sale();
    const { cookie } = await browserLogin(seller);
    expect(await (await page("/dashboard/orders")).text()).toContain("Loading…");
    expect(await (await page("/dashboard/orders", "mp_page=not-a-token")).text()).toContain("Loading…");
    // The cookie is for page GETs only: the JSON API reads the bearer header alone.
    expect((await call("GET", "/seller/orders", { headers: { cookie } })).status).toBe(401);
    expect(
      (
        await call("POST", "/coupons", {
          headers: { cookie },
          body: { code: `X${unique()}`.slice(0, 20), kind: "percent", value: 5 },
        })
      ).status,
    ).toBe(401);
  });

  it("clears the page cookie at sign-out and when a refresh is refused", async () => {
    const user = await signup();
    const login = await call("POST", "/auth/login", {
      body: { email: user.user.email, password: user.password },
      headers: COOKIE_MODE,
    });
    const token = (await json(login)).access_token;
    const refresh = login.headers
      .getSetCookie()
      .find((c) => c.startsWith("mp_refresh="))!
      .split(";")[0];
    const out = await call("POST", "/auth/logout", { body: {}, token, headers: { ...COOKIE_MODE, cookie: refresh } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => /^mp_page=;.*Max-Age=0/i.test(c))).toBe(true);
    const refused = await call("POST", "/auth/refresh", { body: {}, headers: { ...COOKIE_MODE, cookie: refresh } });
    expect(refused.status).toBe(401);
    expect(refused.headers.getSetCookie().some((c) => /^mp_page=;.*Max-Age=0/i.test(c))).toBe(true);
  });

  it("exports a seller's order lines as CSV, their own lines only", async () => {
    const { seller, product, order } = await sale();
    const res = await call("GET", "/seller/orders?format=csv", { token: seller.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const [head, ...rows] = (await res.text()).trim().split("\r\n");
    expect(head.split(",")).toContain("line_total");
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain(order.order_id);
    expect(rows[0]).toContain(product.product_id);
    expect(rows[0]).toContain(",7800,");
    const none = await call("GET", "/seller/orders?format=csv&status=refunded", { token: seller.access_token });
    expect((await none.text()).trim()).toBe(head);
    expect((await call("GET", "/seller/orders?format=xml", { token: seller.access_token })).status).toBe(400);
  });
});
