#!/usr/bin/env node
// `npm run test:e2e`: the storefront in a real browser (Debian's Chromium driven by
// playwright-core). Starts the Worker on a fresh local state with the seed catalog,
// walks a buyer and a seller through a sale, saves a screenshot per step under
// test-results/, and runs axe-core on the main pages (no serious or critical
// violation allowed). Exits non-zero on any failure.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CHILD_ENV, ROOT, WRANGLER, ensureDevVars, run, waitFor } from "../scripts/lib.mjs";
import { seedLocal } from "../scripts/seed.mjs";
import { apiClient } from "./api.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.log("installing Debian's chromium (apt-get install chromium)…");
  const apt = spawnSync(
    "sh",
    ["-c", "(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium"],
    { stdio: "inherit" },
  );
  if (apt.status !== 0 || !existsSync(CHROMIUM)) throw new Error("chromium is required: apt-get install chromium");
}
const { chromium } = await import("playwright-core");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const PORT = 8794;
const BASE = `http://127.0.0.1:${PORT}`;
const api = apiClient(BASE);
const PERSIST = join(ROOT, ".wrangler", "e2e-state");
const OUT = join(ROOT, "test-results");
rmSync(PERSIST, { recursive: true, force: true });
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const vars = ensureDevVars();

await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
await run(WRANGLER, ["d1", "migrations", "apply", "WAREHOUSE", "--local", "--persist-to", PERSIST], {
  quiet: true,
  env: { CI: "1" },
});
await seedLocal({ persistTo: PERSIST });
const server = spawn(
  WRANGLER,
  [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--inspector-port",
    String(PORT + 1000),
    "--persist-to",
    PERSIST,
    "--var",
    "WRITE_LIMITS:off",
    "--show-interactive-dev-session=false",
    "--log-level",
    "error",
  ],
  {
    cwd: ROOT,
    env: { ...CHILD_ENV, CI: "1" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  },
);
const stop = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
};
process.on("exit", stop);
await waitFor(`${BASE}/health`, 120_000);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
let step = 0;
const failures = [];
async function shot(page, name) {
  step++;
  await page.screenshot({ path: join(OUT, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  console.log(`  ✓ ${name}`);
}
// axe is evaluated through the DevTools protocol: a <script> tag would be refused by the CSP.
const AXE_SOURCE = readFileSync(AXE, "utf8");
async function axe(page, name) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length)
    failures.push(
      `axe on ${name}: ${bad.map((v) => `${v.id} (${v.nodes.length}: ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`.slice(0, 300)).join("; ")})`).join(", ")}`,
    );
  console.log(`  axe ${name}: ${bad.length} serious/critical`);
}
/** Fails the walk when an image on the page is broken and was not swapped for the placeholder. */
async function noBrokenImages(page, name) {
  // (Lazy images below the fold have not loaded yet; those that have, or failed, are judged.)
  await page.waitForLoadState("load");
  await page.waitForTimeout(300);
  const broken = await page.evaluate(() =>
    [...document.images]
      .filter((i) => i.complete && i.naturalWidth === 0)
      .map((i) => i.src)
      .slice(0, 3),
  );
  const placeholders = await page.evaluate(() => document.querySelectorAll(".noimg").length);
  if (broken.length) failures.push(`${name}: broken images without a placeholder: ${broken.join(", ")}`);
  console.log(`  images ${name}: ${broken.length} broken, ${placeholders} placeholders`);
}
/** Fails the walk when a product card's image, name, price or stock line overlap one another. */
async function cardsDoNotOverlap(page, name) {
  const bad = await page.evaluate(() => {
    const out = [];
    for (const card of document.querySelectorAll(".card")) {
      const parts = [...card.querySelectorAll("img, .noimg, .name, .price, .stock")].map((el) => [
        el.className || el.tagName,
        el.getBoundingClientRect(),
      ]);
      for (let i = 0; i < parts.length; i++)
        for (let j = i + 1; j < parts.length; j++) {
          const [a, ra] = parts[i];
          const [b, rb] = parts[j];
          const overlap =
            ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1;
          if (overlap) out.push(`${card.querySelector(".name")?.textContent?.slice(0, 30)}: ${a} over ${b}`);
        }
    }
    return out;
  });
  if (bad.length) failures.push(`${name}: card text overlaps: ${bad.slice(0, 3).join("; ")}`);
}
async function waitText(page, text, timeout = 10_000) {
  await page.waitForFunction((t) => document.body.innerText.includes(t), text, { timeout });
}

/**
 * Every page runs under the store's CSP: any violation (a refused script, style or request) fails the walk.
 * The browser reaches this machine only: a request to any other host (a catalog image's CDN) is aborted,
 * which is also how the walk sees that a missing image gets its placeholder.
 */
async function watchCsp(ctx, who) {
  await ctx.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => route.abort(),
  );
  await ctx.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  ctx.on("page", (p) =>
    p.on(
      "console",
      (msg) => /CSP violation|Content Security Policy/.test(msg.text()) && failures.push(`${who}: ${msg.text()}`),
    ),
  );
}

try {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
  await watchCsp(ctx, "buyer");
  const page = await ctx.newPage();

  // Guest searches and adds to the cart.
  await page.goto(`${BASE}/store`);
  // The CSP watcher itself: an injected inline script must be refused and reported.
  const before = failures.length;
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.body.appendChild(s);
  });
  await page.waitForTimeout(300);
  if (failures.length === before || (await page.evaluate(() => window.__inlineRan === true)))
    throw new Error("the CSP did not refuse an inline script, or the watcher did not report it");
  failures.length = before;
  console.log("  ✓ CSP refuses inline script (and the watcher reports violations)");
  await axe(page, "home");
  await noBrokenImages(page, "home");
  await shot(page, "home");
  await page.fill("#q", "samsung galaxy");
  await page.press("#q", "Enter");
  await page.waitForURL(/\/store\/search/);
  await axe(page, "search");
  await noBrokenImages(page, "search");
  await shot(page, "search");
  await page.click(".grid .card a");
  await page.waitForURL(/\/store\/product\//);
  const productId = page.url().split("/").pop();
  await axe(page, "product");
  await noBrokenImages(page, "product");
  await page.click("#add-to-cart");
  await waitText(page, "Added to your cart");
  await shot(page, "added-to-cart");

  // Sign up: the guest cart merges.
  await page.goto(`${BASE}/store/account?next=/store/cart`);
  const email = `e2e${Date.now()}@example.com`;
  await page.fill("#se", email);
  await page.fill("#su", `e2e${Date.now()}`);
  await page.fill("#sp", "correct-horse-1");
  await page.click("#signup button[type=submit]");
  await page.waitForURL(/\/store\/cart/);
  await waitText(page, "Check out");
  // No token is readable by script: the refresh token is an HttpOnly cookie, the access token lives in memory.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, cookie: document.cookie }));
  if (/rt_usr_|access_token|refresh_token|mp_refresh|eyJ/.test(stored))
    failures.push(`tokens readable by script: ${stored.slice(0, 200)}`);
  await axe(page, "cart");
  await shot(page, "cart-merged");
  // Quantities change in place: one more, then one fewer, the line's count following each answer.
  const count = () => page.$eval("td .qty output", (o) => o.textContent.trim());
  const was = Number(await count());
  for (const [button, want] of [
    ["[data-inc]", was + 1],
    ["[data-dec]", was],
  ]) {
    await page.click(`td ${button}`);
    await page
      .waitForFunction((w) => document.querySelector("td .qty output")?.textContent.trim() === String(w), want, {
        timeout: 10_000,
      })
      .catch(() => failures.push(`cart quantity after ${button}: ${want} wanted`));
  }
  console.log("  ✓ cart quantity up and down in place");

  // Check out with the test Visa.
  await page.click("#to-checkout");
  await page.fill("#name", "Ada Buyer");
  await page.fill("#line1", "1 Main St");
  await page.fill("#city", "Springfield");
  await page.fill("#postal", "12345");
  await page.fill("#region", "CA");
  // Shipping options, tax and the total are shown before paying (California: 7.25% sales tax on top).
  await page.click("#quote");
  await page.waitForSelector("#order-total");
  const taxShown = await page.textContent("#tax-total");
  if (!/\$\d/.test(taxShown ?? "") || taxShown === "$0.00")
    failures.push(`checkout shows no California tax: ${taxShown}`);
  await axe(page, "checkout");
  await page.selectOption("#pm", "pm_card_visa");
  // Kept on the provider for next time (a customer and its saved card).
  await page.check("#save-card");
  await shot(page, "checkout");
  await page.click("#place-order");
  await page.waitForURL(/\/store\/orders\/ord_/);
  await waitText(page, "paid");
  const orderId = page.url().split("/").pop();
  await shot(page, "order-paid");

  // The seller ships and delivers.
  const product = await api.product(productId);
  const sellerUser = await api.user(product.seller_id);
  const seller = await ctx.browser().newContext({ viewport: { width: 1280, height: 900 } });
  await watchCsp(seller, "seller");
  const sp = await seller.newPage();
  await sp.goto(`${BASE}/store/account?next=/dashboard/orders`);
  await sp.fill("#le", `${sellerUser.username}@sellers.marketplace.local`);
  await sp.fill("#lp", vars.LOCAL_ADMIN_PASSWORD);
  await sp.click("#login button[type=submit]");
  await sp.waitForURL(/\/dashboard\/orders/);
  // The orders table links to the order's page, where the seller ships with a tracking number.
  await sp.click(`a[href="/dashboard/orders/${orderId}"]`, { timeout: 15_000 });
  await sp.waitForSelector(`[data-ship="${orderId}"]`, { timeout: 15_000 });
  await axe(sp, "seller order");
  await sp.fill(`#t-${orderId}`, "1Z999E2E");
  await sp.click(`[data-ship="${orderId}"]`);
  await sp.waitForSelector(`[data-deliver="${orderId}"]`, { timeout: 15_000 });
  await shot(sp, "seller-shipped");
  await sp.click(`[data-deliver="${orderId}"]`);
  await sp.waitForFunction(
    (id) => document.querySelector(`[data-status="${id}"]`)?.textContent === "delivered",
    orderId,
    { timeout: 15_000 },
  );

  // The buyer sees the notifications and reviews the product.
  // Notifications arrive through the queues within seconds: reload until they show.
  for (let i = 0; ; i++) {
    await page.goto(`${BASE}/store/notifications`);
    try {
      await waitText(page, "Your order has shipped", 1500);
      break;
    } catch (err) {
      if (i > 15) throw err;
    }
  }
  await axe(page, "notifications");
  await shot(page, "buyer-notified");
  await page.goto(`${BASE}/store/product/${productId}`);
  await page.selectOption("#rating", "5");
  await page.fill("#comment", "Arrived fast, works great.");
  await page.click("#review-form button[type=submit]");
  await waitText(page, "Arrived fast, works great.");
  // The rating spread and the review's own actions show with it.
  await page.waitForSelector(".rating-bars");
  await page.waitForSelector("[data-helpful]");
  await shot(page, "reviewed");
  // Someone reports the review: it is first in the admin's moderation queue (the tour shows it).
  const reporter = await api.signup(`reporter${Date.now()}@example.com`, `reporter${Date.now()}`, "correct-horse-3");
  const review = (await api.reviews(productId)).data.find((r) => r.comment === "Arrived fast, works great.");
  await api.reportReview(reporter.access_token, review.review_id, "spam");

  // The sale reaches the warehouse through the queue: it shows in the top products, and today's bar
  // in the server's chart is taller than nothing.
  for (let i = 0; ; i++) {
    await sp.goto(`${BASE}/dashboard`);
    try {
      await sp.waitForSelector(".chart", { timeout: 5000 });
      await waitText(sp, product.name.slice(0, 20), 1500);
      break;
    } catch (err) {
      if (i > 15) throw err;
    }
  }
  const tallest = await sp.$$eval(".chart .bar", (bars) =>
    Math.max(...bars.map((b) => Number(b.getAttribute("height")))),
  );
  if (!(tallest > 0)) failures.push(`the seller's chart shows no sale (tallest bar ${tallest})`);
  await shot(sp, "seller-chart");

  // Again, with PayPal (the test provider stands in for it): the saved card is offered, the buyer
  // is sent away to approve, comes back to the store, and the order is paid.
  await page.goto(`${BASE}/store/product/${productId}`);
  await page.click("#add-to-cart");
  await waitText(page, "Added to your cart");
  // A sized item too: search, narrow by a size facet, pick that size on the product page.
  await page.goto(`${BASE}/store/search?q=polo%20shirt`);
  const sizeLink = page.locator('[data-facet="size"] a').first();
  const size = (await sizeLink.textContent()).trim().split(/\s/)[0];
  await sizeLink.click();
  await page.waitForURL(/[?&]size=/);
  await shot(page, "search-size-facet");
  await page.click(".grid .card a");
  await page.waitForURL(/\/store\/product\//);
  const choice = await page.$$eval(
    "#variant option",
    (opts, want) => opts.find((o) => !o.disabled && o.textContent.trim().split(" ")[0] === want)?.value,
    size,
  );
  if (!choice) failures.push(`no ${size} to pick on ${page.url()}`);
  else await page.selectOption("#variant", choice);
  await page.click("#add-to-cart");
  await waitText(page, "Added to your cart");
  await page.goto(`${BASE}/store/cart`);
  await page.waitForFunction(
    (want) => [...document.querySelectorAll(".options")].some((o) => o.textContent.split(" / ").includes(want)),
    size,
    { timeout: 10_000 },
  );
  await shot(page, "cart-with-size");
  console.log(`  ✓ search narrowed by size ${size}, that size picked and in the cart`);
  await page.goto(`${BASE}/store/checkout`);
  await page.waitForSelector("#pm", { state: "attached" });
  const savedCards = await page.$$eval("#pm optgroup[label='Saved cards'] option", (o) => o.map((x) => x.textContent));
  if (!savedCards.some((t) => /visa •••• 4242/.test(t ?? ""))) failures.push(`no saved Visa offered: ${savedCards}`);
  await page.fill("#name", "Ada Buyer");
  await page.fill("#line1", "1 Main St");
  await page.fill("#city", "Springfield");
  await page.fill("#postal", "12345");
  await page.fill("#region", "CA");
  await page.click("#quote");
  await page.waitForSelector("#order-total");
  await page.selectOption("#pm", "paypal");
  await page.click("#place-order");
  await page.waitForURL(/\/payments\/test-provider\/authorize\//);
  await shot(page, "paypal-approve");
  await page.click("#approve");
  try {
    await page.waitForURL(/\/store\/orders\/ord_/, { timeout: 15_000 });
  } catch {
    await shot(page, "paypal-return-failed");
    throw new Error(`PayPal return stuck at ${page.url()}: ${(await page.textContent("body"))?.slice(0, 300)}`);
  }
  await waitText(page, "paid");
  await shot(page, "order-paid-paypal");
  console.log("  ✓ checkout with PayPal: away to approve, back, paid");

  // A live auction at both widths: the seller lists one, the buyer bids on a phone, a rival's
  // higher bid arrives over the WebSocket without a reload, and the seller watches at 1280 px.
  const sellerLogin = await api.login(`${sellerUser.username}@sellers.marketplace.local`, vars.LOCAL_ADMIN_PASSWORD);
  const lot = await api.listAuction(sellerLogin.access_token, {
    name: "E2E Vintage Camera",
    description: "One of one",
    category_id: product.category_id,
    start_price: 5000,
    buy_now_price: 20000,
    ends_at: new Date(Date.now() + 2 * 86400_000).toISOString(),
  });
  await page.goto(`${BASE}/store/product/${lot.product_id}`);
  await waitText(page, "Ends in");
  await page.fill("#max-bid", "80.00");
  await page.click("#place-bid");
  await waitText(page, "you are the highest bidder");
  await axe(page, "auction");
  await shot(page, "auction-bid-phone");
  const rival = await api.signup(`rival${Date.now()}@example.com`, `rival${Date.now()}`, "correct-horse-2");
  await api.bid(rival.access_token, lot.product_id, 12000);
  // 8,000 + one increment of 100: the buyer's page follows the socket.
  await waitText(page, "$81.00");
  await waitText(page, "2 bids");
  await shot(page, "auction-outbid-phone");
  await sp.goto(`${BASE}/store/product/${lot.product_id}`);
  await waitText(sp, "$81.00");
  await waitText(sp, "Ends in");
  await shot(sp, "auction-seller-desktop");
  await page.goto(`${BASE}/store/orders`);
  await waitText(page, "E2E Vintage Camera");
  await waitText(page, "outbid");
  await sp.goto(`${BASE}/dashboard/promotions`);
  await sp.waitForSelector("#h-auctions");
  await waitText(sp, "E2E Vintage Camera");

  // The buyer returns the first order; the seller approves, receives it, and sees the balance.
  await page.goto(`${BASE}/store/orders/${orderId}`);
  await page.click("#return");
  await waitText(page, "Return requested");
  await shot(page, "return-requested");
  await sp.goto(`${BASE}/dashboard/returns`);
  await sp.click("[data-approve]", { timeout: 15_000 });
  await sp.waitForSelector("[data-receive]", { timeout: 15_000 });
  await axe(sp, "seller returns");
  await sp.click("[data-receive]");
  await sp.waitForFunction(() => document.querySelector("[data-return-status]")?.textContent === "refunded", null, {
    timeout: 15_000,
  });
  await shot(sp, "seller-return-received");
  // The ledger posts from the order's events, through the queue: reload until the refund shows.
  for (let i = 0; ; i++) {
    await sp.goto(`${BASE}/dashboard/payouts`);
    try {
      await sp.waitForSelector("#balance", { timeout: 5000 });
      await waitText(sp, "refund", 1500);
      break;
    } catch (err) {
      if (i > 15) throw err;
    }
  }
  await shot(sp, "seller-balance");
  console.log("  ✓ return: requested, approved, received and refunded; the ledger shows it");

  // The seller edits a product from the products table; the store shows the new name.
  await sp.goto(`${BASE}/dashboard/products`);
  const editForm = sp.locator('form[data-edit][data-listing="fixed"]').first();
  const editedId = await editForm.getAttribute("data-edit");
  await sp.locator(`details.edit:has(form[data-edit="${editedId}"]) summary`).click();
  await sp.fill(`#en-${editedId}`, "E2E Renamed Product");
  await editForm.locator("button[type=submit]").click();
  try {
    await waitText(sp, "Saved");
  } catch {
    throw new Error(`editing ${editedId} did not save: ${await sp.textContent("#toast")}`);
  }
  await sp.goto(`${BASE}/store/product/${editedId}`);
  await waitText(sp, "E2E Renamed Product");
  console.log("  ✓ a product edited from the seller's table shows in the store");

  // The same sale at the other widths: a buyer at 1280 px (a size facet, a size, checkout with
  // shipping and tax, a return) and the item's seller on a phone (ship, receive the return, the balance).
  {
    const bctx = await ctx.browser().newContext({ viewport: { width: 1280, height: 900 } });
    await watchCsp(bctx, "desktop buyer");
    const b = await bctx.newPage();
    await b.goto(`${BASE}/store/account?next=/store`);
    const tag = `wide${Date.now()}`;
    await b.fill("#se", `${tag}@example.com`);
    await b.fill("#su", tag);
    await b.fill("#sp", "correct-horse-4");
    await b.click("#signup button[type=submit]");
    await b.waitForURL(`${BASE}/store`);
    // Left at once, before the page's own token refresh has answered: the session must survive it.
    await b.goto(`${BASE}/store/search?q=polo%20shirt`);
    await b.locator('[data-facet="size"] a').first().click();
    await b.waitForURL(/[?&]size=/);
    await b.click(".grid .card a");
    await b.waitForURL(/\/store\/product\//);
    const sizedId = b.url().split("/").pop();
    const pick = await b.$$eval("#variant option", (o) => o.find((x) => !x.disabled)?.value);
    if (pick) await b.selectOption("#variant", pick);
    await b.click("#add-to-cart");
    await waitText(b, "Added to your cart");
    await b.goto(`${BASE}/store/checkout`);
    try {
      await b.waitForSelector("#name", { timeout: 10_000 });
    } catch {
      await shot(b, "wide-checkout-stuck");
      throw new Error(
        `checkout at 1280 px did not show its form at ${b.url()}: ${(await b.textContent("#main"))?.slice(0, 300)}`,
      );
    }
    await b.fill("#name", "Grace Buyer");
    await b.fill("#line1", "2 Side St");
    await b.fill("#city", "Springfield");
    await b.fill("#postal", "12345");
    await b.fill("#region", "CA");
    await b.click("#quote");
    await b.waitForSelector("#order-total");
    // A declined card: the error shows beside the button, nothing is charged, the buyer stays to choose again.
    await b.selectOption("#pm", "pm_card_chargeDeclined");
    await b.click("#place-order");
    await b.waitForSelector("#pay-error:not([hidden])");
    const declined = await b.textContent("#pay-error");
    if (!/declined/i.test(declined ?? "") || !/Nothing was charged/.test(declined ?? ""))
      failures.push(`a declined card shows no clear error: ${declined}`);
    if (!b.url().endsWith("/store/checkout")) failures.push(`a declined card left the checkout: ${b.url()}`);
    await shot(b, "wide-checkout-declined");
    // A card that needs 3-D Secure: the order waits on its page for the buyer to authenticate, then is paid.
    await b.selectOption("#pm", "pm_card_authenticationRequired");
    await shot(b, "wide-checkout");
    await b.click("#place-order");
    await b.waitForURL(/\/store\/orders\/ord_/);
    await waitText(b, "Your bank asks you to confirm this payment");
    await axe(b, "order awaiting 3-D Secure");
    await shot(b, "wide-order-3ds");
    await b.click("#confirm-3ds");
    await b.waitForFunction(() => document.querySelector("#order-status")?.textContent === "paid", null, {
      timeout: 15_000,
    });
    const wideOrder = b.url().split("/").pop();
    const owner = await api.user((await api.product(sizedId)).seller_id);
    const sctx = await ctx.browser().newContext({ viewport: { width: 390, height: 844 } });
    await watchCsp(sctx, "phone seller");
    const s2 = await sctx.newPage();
    await s2.goto(`${BASE}/store/account?next=/dashboard/orders/${wideOrder}`);
    await s2.fill("#le", `${owner.username}@sellers.marketplace.local`);
    await s2.fill("#lp", vars.LOCAL_ADMIN_PASSWORD);
    await s2.click("#login button[type=submit]");
    await s2.waitForSelector(`[data-ship="${wideOrder}"]`, { timeout: 15_000 });
    await s2.fill(`#t-${wideOrder}`, "1ZPHONE");
    await s2.click(`[data-ship="${wideOrder}"]`);
    await s2.click(`[data-deliver="${wideOrder}"]`, { timeout: 15_000 });
    await s2.waitForFunction(
      (id) => document.querySelector(`[data-status="${id}"]`)?.textContent === "delivered",
      wideOrder,
      { timeout: 15_000 },
    );
    await shot(s2, "phone-seller-delivered");
    await b.goto(`${BASE}/store/orders/${wideOrder}`);
    await waitText(b, "1ZPHONE");
    await b.click("#return");
    await waitText(b, "Return requested");
    await s2.goto(`${BASE}/dashboard/returns`);
    await s2.click("[data-approve]", { timeout: 15_000 });
    await s2.click("[data-receive]", { timeout: 15_000 });
    await s2.waitForFunction(() => document.querySelector("[data-return-status]")?.textContent === "refunded", null, {
      timeout: 15_000,
    });
    await shot(s2, "phone-seller-return-received");
    await s2.goto(`${BASE}/dashboard/payouts`);
    await s2.waitForSelector("#balance");
    await shot(s2, "phone-seller-balance");
    await bctx.close();
    await sctx.close();
    console.log("  ✓ the sale again at the other widths: buyer at 1280 px, seller at 390 px, through the return");
  }

  // Every page at both widths, as a buyer, a seller and an admin: axe on each, a screenshot of each.
  const adminCtx = await ctx.browser().newContext({ viewport: { width: 1280, height: 900 } });
  await watchCsp(adminCtx, "admin");
  const ap = await adminCtx.newPage();
  await ap.goto(`${BASE}/store/account?next=/admin-ui`);
  await ap.fill("#le", vars.ADMIN_EMAIL);
  await ap.fill("#lp", vars.LOCAL_ADMIN_PASSWORD);
  await ap.click("#login button[type=submit]");
  await ap.waitForURL(/\/admin-ui/);
  const tour = [
    [page, "home", "/store", ".grid"],
    [page, "search", "/store/search?q=samsung", ".grid"],
    [page, "product", `/store/product/${productId}`, "[data-helpful]"],
    [page, "cart", "/store/cart", "#app > *"],
    [page, "orders", "/store/orders", "#app > *"],
    [page, "order", `/store/orders/${orderId}`, "#order-status"],
    [page, "notifications", "/store/notifications", "#app > *"],
    [page, "wishlist", "/store/wishlist", "#app > *"],
    [page, "account", "/store/account", "#prefs"],
    [sp, "seller-overview", "/dashboard", ".chart"],
    [sp, "seller-orders", "/dashboard/orders", "table"],
    [sp, "seller-order", `/dashboard/orders/${orderId}`, "table"],
    [sp, "seller-products", "/dashboard/products", "#new-product"],
    [sp, "seller-returns", "/dashboard/returns", "table"],
    [sp, "seller-payouts", "/dashboard/payouts", "#balance"],
    [sp, "seller-promotions", "/dashboard/promotions", "#h-coupons"],
    [sp, "seller-webhooks", "/dashboard/webhooks", "#new-hook"],
    [ap, "admin-overview", "/admin-ui", ".chart"],
    [ap, "admin-moderation", "/admin-ui/reviews", ".queue li[data-review]"],
    [ap, "admin-users", "/admin-ui/users", "table"],
    [ap, "admin-categories", "/admin-ui/categories", ".tree"],
    [ap, "admin-commissions", "/admin-ui/commissions", "#new-rule"],
    [ap, "admin-coupons", "/admin-ui/coupons", "#new-coupon"],
    [ap, "admin-dead-letters", "/admin-ui/dead-letters", "#app > *"],
  ];
  for (const width of [1280, 390]) {
    for (const [p, name, path, ready] of tour) {
      await p.setViewportSize({ width, height: width > 800 ? 900 : 844 });
      await p.goto(`${BASE}${path}`);
      try {
        await p.waitForSelector(ready, { timeout: 15_000 });
      } catch {
        failures.push(
          `${name} at ${width} px: ${ready} never showed: ${(await p.textContent("#main"))?.slice(0, 200)}`,
        );
        continue;
      }
      await axe(p, `${name} ${width}px`);
      if (name === "home" || name === "search") {
        await cardsDoNotOverlap(p, `${name} ${width}px`);
        await noBrokenImages(p, `${name} ${width}px`);
      }
      await p.screenshot({ path: join(OUT, `page-${name}-${width}.png`), fullPage: true });
    }
    console.log(`  ✓ ${tour.length} pages at ${width} px: axe-checked, screenshots test-results/page-*-${width}.png`);
  }

  // Token theft through the sign-in redirect: a javascript: or off-site next= lands on the store instead.
  const thief = await ctx.browser().newContext();
  await watchCsp(thief, "redirect check");
  const tp = await thief.newPage();
  let ran = false;
  tp.on("dialog", async (d) => {
    ran = true;
    await d.dismiss();
  });
  // The off-site target is another loopback address: were it followed, nothing would leave this machine.
  for (const next of ["javascript:alert(document.domain)", "//127.0.0.2:9/login"]) {
    await tp.goto(`${BASE}/store/account?next=${encodeURIComponent(next)}`);
    if (await tp.$("#logout")) {
      await tp.click("#logout");
      await tp.waitForURL(`${BASE}/store`);
      await tp.goto(`${BASE}/store/account?next=${encodeURIComponent(next)}`);
    }
    await tp.fill("#le", email);
    await tp.fill("#lp", "correct-horse-1");
    await tp.click("#login button[type=submit]");
    await tp.waitForURL(`${BASE}/store`, { timeout: 10_000 });
  }
  if (ran) failures.push("a javascript: next= ran script after sign-in");
  console.log("  ✓ sign-in redirect refuses javascript: and off-site next=");
} catch (err) {
  failures.push(String(err?.stack ?? err));
} finally {
  await browser.close();
  stop();
}
if (failures.length) {
  console.error(`\nFAILED:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log(`\nstorefront e2e passed; screenshots in test-results/`);
process.exit(0);
