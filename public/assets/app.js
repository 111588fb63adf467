// The storefront's one script (an ES module): talks to the JSON API with the
// signed-in user's access token and the guest cart id, and renders the pages that
// need them. The access token lives only in memory; the refresh token is an
// HttpOnly cookie scoped to /auth that no script can read (docs/security.md).
import { safeNextPath } from "./next-path.js";

// An image that fails to load (its host unreachable, a dead link) becomes the same placeholder
// the server renders for a product without one. Errors do not bubble, so the listener captures;
// images that failed before this module ran are found by their state.
(() => {
  const placeholder = (img) => {
    const box = document.createElement("div");
    box.className = "noimg";
    if (img.alt) {
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", `${img.alt} (no image)`);
    } else box.setAttribute("aria-hidden", "true");
    img.replaceWith(box);
  };
  document.addEventListener("error", (e) => e.target instanceof HTMLImageElement && placeholder(e.target), true);
  // (A copy: document.images is live, and replacing while walking it would skip every other one.)
  for (const img of [...document.images]) if (img.complete && img.naturalWidth === 0) placeholder(img);
})();

(() => {
  const $ = (s, el = document) => el.querySelector(s);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const money = (c) => `$${(c / 100).toFixed(2)}`;
  // Tokens kept by older versions of this script are dropped on sight.
  localStorage.removeItem("auth");
  const session = { user: JSON.parse(localStorage.getItem("user") || "null"), access: null };
  const auth = () => (session.user ? { user: session.user, access_token: session.access } : null);
  const setAuth = (a) => {
    session.user = a ? a.user : null;
    session.access = a ? a.access_token : null;
    if (a) localStorage.setItem("user", JSON.stringify(a.user));
    else localStorage.removeItem("user");
  };
  const COOKIE_MODE = { "X-Refresh-Cookie": "1" };
  /** One refresh at a time across this origin's tabs (each exchange rotates the cookie). */
  async function refreshAccess() {
    const exchange = async () => {
      const r = await fetch("/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json", ...COOKIE_MODE },
        body: "{}",
        credentials: "same-origin",
      });
      if (!r.ok) return false;
      session.access = (await r.json()).access_token;
      return true;
    };
    return navigator.locks ? navigator.locks.request("auth-refresh", exchange) : exchange();
  }
  const ready = session.user ? refreshAccess().then((ok) => ok || setAuth(null)) : Promise.resolve();
  const toast = (msg) => {
    const t = $("#toast");
    t.textContent = msg;
    t.classList.add("show");
    setTimeout(() => t.classList.remove("show"), 4000);
  };

  async function api(method, path, body, headers = {}) {
    await ready;
    const h = { ...headers };
    const a = auth();
    if (a) h.authorization = `Bearer ${a.access_token}`;
    const cart = localStorage.getItem("cartId");
    if (cart && !h["X-Cart-Id"]) h["X-Cart-Id"] = cart;
    if (body !== undefined) h["content-type"] = "application/json";
    const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && a && !path.startsWith("/auth/")) {
      if (await refreshAccess()) return api(method, path, body, headers);
      setAuth(null);
    }
    const id = res.headers.get("X-Cart-Id");
    if (id && !auth()) localStorage.setItem("cartId", id);
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    return { status: res.status, ok: res.ok, data };
  }
  const errorOf = (r) => (r.data?.error ? r.data.error.message : `Error ${r.status}`);
  const needLogin = () => {
    if (auth()) return false;
    location.href = `/store/account?next=${encodeURIComponent(location.pathname)}`;
    return true;
  };
  const app = () => $("#app");

  // ---- every page: account link, role links, counts, autocomplete -------------------
  async function chrome() {
    const a = auth();
    const link = $("#account-link");
    if (a && link) link.textContent = `Account (${a.user.username})`;
    document.querySelectorAll("[data-role]").forEach((el) => {
      const role = el.getAttribute("data-role");
      el.hidden = !a || !(a.user.role === role || a.user.role === "admin");
    });
    const cart = await api("GET", "/cart");
    if (cart.ok)
      $("#cart-count").textContent = cart.data.items.length
        ? `(${cart.data.items.reduce((s, i) => s + i.quantity, 0)})`
        : "";
    if (a) {
      const n = await api("GET", "/notifications?limit=1");
      if (n.ok) $("#unread").textContent = n.data.unread_count ? `(${n.data.unread_count})` : "";
    }
    const q = $("#q");
    let timer;
    q?.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (q.value.trim().length < 2) return;
        const r = await api("GET", `/suggest?prefix=${encodeURIComponent(q.value)}&limit=8`);
        if (r.ok)
          $("#suggestions").innerHTML = r.data.data.map((s) => `<option value="${esc(s.text)}"></option>`).join("");
      }, 150);
    });
  }

  /**
   * An auction's live price and countdown: the WebSocket pushes every bid, extension and end;
   * without it (or when it drops) the page polls GET /auctions/{id} every 5 seconds.
   */
  async function auction(id) {
    let state = null;
    const render = () => {
      if (!state) return;
      $("#auction-price").textContent = money(state.current_price);
      $("#auction-bids").textContent = state.bid_count
        ? `${state.bid_count} bid${state.bid_count > 1 ? "s" : ""}`
        : "No bids yet";
      const ended = state.status === "ended";
      const notes = [];
      if (ended) notes.push(state.outcome === "sold" || state.outcome === "bought_now" ? "Sold" : "Ended unsold");
      else notes.push(`Next bid at least ${money(state.next_minimum)}`);
      if (!ended && state.reserve_met === false) notes.push("reserve not met");
      if (state.leading === true) notes.push(ended ? "you won" : "you are the highest bidder");
      $("#auction-status").textContent = notes.join(" · ");
      $("#bid-form").hidden = ended;
      $("#buy-now").hidden = ended || !state.buy_now_price;
      if (state.buy_now_price) $("#buy-now").textContent = `Buy it now for ${money(state.buy_now_price)}`;
      tick();
    };
    const tick = () => {
      if (!state) return;
      const left = Date.parse(state.ends_at) - Date.now();
      if (state.status === "ended" || left <= 0)
        return ($("#auction-countdown").textContent = `Ended ${new Date(state.ends_at).toLocaleString()}`);
      const s = Math.floor(left / 1000);
      const d = Math.floor(s / 86400);
      const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
        .map((n) => String(n).padStart(2, "0"))
        .join(":");
      $("#auction-countdown").textContent = `Ends in ${d ? `${d}d ` : ""}${hms}`;
    };
    const load = async () => {
      const r = await api("GET", `/auctions/${id}`);
      if (r.ok) state = r.data;
      render();
    };
    await load();
    setInterval(tick, 1000);
    let polling = null;
    const poll = () => (polling ??= setInterval(load, 5000));
    try {
      const ws = new WebSocket(
        `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/auctions/${id}/live`,
      );
      ws.addEventListener("message", (e) => {
        if (e.data === "pong" || !state) return;
        const m = JSON.parse(e.data);
        Object.assign(state, {
          current_price: m.current_price,
          bid_count: m.bid_count,
          ends_at: m.ends_at,
          ...(m.next_minimum ? { next_minimum: m.next_minimum } : {}),
        });
        // Who leads is the caller's to know: only a watcher who led (and may have lost it) reads it
        // back, and everyone at the end, so a bid does not send every watcher to the API.
        if (m.type === "ended" || (m.type === "bid" && state.leading)) load();
        else render();
      });
      ws.addEventListener("close", poll);
      ws.addEventListener("error", poll);
      setInterval(() => ws.readyState === 1 && ws.send("ping"), 30_000);
    } catch {
      poll();
    }
    $("#bid-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      if (needLogin()) return;
      const max = Math.round(Number($("#max-bid").value) * 100);
      const r = await api(
        "POST",
        `/auctions/${id}/bids`,
        { max_amount: max },
        { "Idempotency-Key": crypto.randomUUID() },
      );
      toast(
        r.ok
          ? r.data.leading
            ? "You are the highest bidder"
            : `Outbid at once: the price is now ${money(r.data.current_price)}`
          : errorOf(r),
      );
      load();
    });
    $("#buy-now").addEventListener("click", async () => {
      if (needLogin()) return;
      const r = await api("POST", `/auctions/${id}/buy-now`, {});
      if (r.ok) location.href = `/store/orders/${r.data.order_id}`;
      else toast(errorOf(r));
    });
  }

  const pages = {
    product() {
      const id = $("[data-product-id]").getAttribute("data-product-id");
      if ($("#auction")) auction(id);
      $("#add-form").addEventListener("submit", async (e) => {
        e.preventDefault();
        const variant = $("#variant") ? $("#variant").value : "";
        const r = await api("POST", "/cart/add", {
          product_id: id,
          ...(variant ? { variant_id: variant } : {}),
          quantity: Number($("#qty").value),
        });
        toast(r.ok ? "Added to your cart" : errorOf(r));
        chrome();
      });
      $("#wish").addEventListener("click", async () => {
        if (needLogin()) return;
        const r = await api("POST", "/wishlist", { product_id: id });
        toast(r.ok ? "Saved to your wishlist" : errorOf(r));
      });
      $("#review-form").addEventListener("submit", async (e) => {
        e.preventDefault();
        if (needLogin()) return;
        const r = await api("POST", "/reviews", {
          product_id: id,
          rating: Number($("#rating").value),
          comment: $("#comment").value,
        });
        toast(r.ok ? "Thanks for your review" : errorOf(r));
        if (r.ok) location.reload();
      });
    },

    async cart() {
      const r = await api("GET", "/cart");
      if (!r.ok) return (app().textContent = errorOf(r));
      const c = r.data;
      if (!c.items.length) return (app().innerHTML = `<p>Your cart is empty. <a href="/store">Keep shopping</a>.</p>`);
      app().innerHTML = `
        <table><caption class="sr">Items in your cart</caption>
          <thead><tr><th scope="col">Product</th><th scope="col">Qty</th><th scope="col">Price</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>${c.items
            .map(
              (
                i,
              ) => `<tr><td><a href="/store/product/${i.product_id}">${esc(i.name)}</a>${Object.keys(i.options || {}).length ? ` <span class="options">${esc(Object.values(i.options).join(" / "))}</span>` : ""}${i.price_changed ? ` <em>(was ${money(i.price_when_added)})</em>` : ""}</td>
              <td>${i.quantity}</td><td>${money(i.line_total)}</td>
              <td><button type="button" data-remove="${i.product_id}" data-variant="${esc(i.variant_id)}">Remove</button></td></tr>`,
            )
            .join("")}</tbody></table>
        <p>Subtotal ${money(c.subtotal)}${c.discount ? ` · Discount −${money(c.discount)}` : ""} · <strong>Total ${money(c.total)}</strong></p>
        ${c.coupon_warnings.map((w) => `<p class="warn">${esc(w.code)}: ${esc(w.reason)}</p>`).join("")}
        <form id="coupon"><label for="code">Coupon code</label><input id="code" name="code" required><button type="submit">Apply</button></form>
        <p><a class="button" href="/store/checkout" id="to-checkout">Check out</a></p>`;
      app()
        .querySelectorAll("[data-remove]")
        .forEach((b) =>
          b.addEventListener("click", async () => {
            await api("POST", "/cart/remove", {
              product_id: b.getAttribute("data-remove"),
              variant_id: b.getAttribute("data-variant"),
            });
            pages.cart();
            chrome();
          }),
        );
      $("#coupon").addEventListener("submit", async (e) => {
        e.preventDefault();
        const res = await api("POST", "/cart/coupon", { code: $("#code").value });
        toast(res.ok ? "Coupon applied" : errorOf(res));
        pages.cart();
      });
    },

    async checkout() {
      if (needLogin()) return;
      const [cartRes, walletRes] = await Promise.all([api("GET", "/cart"), api("GET", "/wallet")]);
      const c = cartRes.data;
      const saved = walletRes.ok ? walletRes.data.payment_methods : [];
      const balance = walletRes.ok ? walletRes.data.balance : 0;
      const a = c.shipping_address || {};
      app().innerHTML = `
        <p>${c.items.length} item(s), subtotal <strong>${money(c.subtotal)}</strong>.</p>
        <form id="pay">
          <label for="name">Full name</label><input id="name" required autocomplete="name" value="${esc(a.name || "")}">
          <label for="line1">Address</label><input id="line1" required autocomplete="address-line1" value="${esc(a.line1 || "")}">
          <label for="city">City</label><input id="city" required autocomplete="address-level2" value="${esc(a.city || "")}">
          <label for="postal">Postal code</label><input id="postal" required autocomplete="postal-code" value="${esc(a.postal_code || "")}">
          <label for="country">Country (2 letters)</label><input id="country" required value="${esc(a.country || "US")}" maxlength="2">
          <label for="region">Region or state (optional, e.g. CA)</label><input id="region" maxlength="10" value="${esc(a.region || "")}" autocomplete="address-level1">
          <button type="button" id="quote">Show shipping and tax</button>
          <section id="summary" aria-live="polite"></section>
          <label for="pm">Payment method</label>
          <select id="pm">
            ${saved.length ? `<optgroup label="Saved cards">${saved.map((m) => `<option value="saved:${esc(m.payment_method_id)}">${esc(m.label ? `${m.label} · ${m.display}` : m.display)}</option>`).join("")}</optgroup>` : ""}
            <optgroup label="Card (test cards)"><option value="pm_card_visa">Visa (succeeds)</option><option value="pm_card_chargeDeclined">Declined card</option><option value="pm_card_authenticationRequired">Card needing 3-D Secure</option></optgroup>
            <optgroup label="Elsewhere"><option value="paypal">PayPal</option><option value="pm_test_redirect_bank">Bank transfer (redirect to your bank)</option></optgroup>
          </select>
          <label class="check"><input type="checkbox" id="save-card"> Save this card for next time</label>
          <label class="check"><input type="checkbox" id="wallet"> Use store credit first${balance ? ` (${money(balance)} available)` : ""}</label>
          <button type="submit" id="place-order">Place order</button>
        </form>`;
      const key = crypto.randomUUID();
      const address = () => {
        const out = {
          name: $("#name").value,
          line1: $("#line1").value,
          city: $("#city").value,
          postal_code: $("#postal").value,
          country: $("#country").value.toUpperCase(),
        };
        if ($("#region").value.trim()) out.region = $("#region").value.trim().toUpperCase();
        return out;
      };
      let shown = null;
      // What the buyer pays before paying: each seller's options (cheapest chosen), tax, and the total.
      const render = (cart) => {
        shown = cart;
        $("#summary").innerHTML = `
          ${cart.shipping_options
            .map(
              (s, i) =>
                `<fieldset><legend>Shipping for seller ${i + 1}</legend>${s.options
                  .map(
                    (o) =>
                      `<label class="check"><input type="radio" name="ship-${esc(s.seller_id)}" value="${esc(o.option_id)}" data-seller="${esc(s.seller_id)}" ${o.option_id === s.selected ? "checked" : ""}> ${esc(o.name)} · ${money(o.amount)}${o.min_days !== null ? ` · ${o.min_days}–${o.max_days} days` : ""}</label>`,
                  )
                  .join("")}</fieldset>`,
            )
            .join("")}
          <table class="totals"><tbody>
            <tr><th scope="row">Subtotal</th><td>${money(cart.subtotal)}</td></tr>
            ${cart.discount ? `<tr><th scope="row">Discount</th><td>−${money(cart.discount)}</td></tr>` : ""}
            <tr><th scope="row">Shipping</th><td id="shipping-total">${money(cart.shipping_total)}</td></tr>
            <tr><th scope="row">Tax</th><td id="tax-total">${money(cart.tax_total)}${cart.tax_included ? ` (${money(cart.tax_included)} VAT included in prices)` : ""}</td></tr>
            <tr><th scope="row">Total</th><td><strong id="order-total">${money(cart.total)}</strong></td></tr>
          </tbody></table>`;
        for (const r of document.querySelectorAll("#summary input[type=radio]")) {
          r.addEventListener("change", async () => {
            const res = await api("POST", "/cart/shipping-option", {
              seller_id: r.getAttribute("data-seller"),
              option_id: r.value,
            });
            if (res.ok) render(res.data);
            else toast(errorOf(res));
          });
        }
      };
      const quote = async () => {
        const res = await api("POST", "/cart/shipping-address", { address: address() });
        if (res.ok) render(res.data);
        else {
          shown = null;
          $("#summary").textContent = errorOf(res);
        }
        return res.ok;
      };
      $("#quote").addEventListener("click", quote);
      // A changed address needs a new quote before the order is placed.
      for (const id of ["line1", "city", "postal", "country", "region"])
        $(`#${id}`).addEventListener("input", () => (shown = null));
      if (c.shipping_address) render(c);
      $("#pay").addEventListener("submit", async (e) => {
        e.preventDefault();
        // The buyer sees shipping, tax and the total first; placing the order charges exactly that.
        if (!shown && !(await quote())) return;
        const pm = $("#pm").value;
        if ($("#save-card").checked && pm.startsWith("pm_card_")) {
          const s = await api("POST", "/wallet/payment-methods", { payment_method: pm });
          if (!s.ok) return toast(errorOf(s));
        }
        const body = {
          ...(pm.startsWith("saved:") ? { payment_method_id: pm.slice(6) } : { payment_method: pm }),
          use_wallet: $("#wallet").checked,
          shipping_address: address(),
          expected_total: shown.total,
          // Where PayPal, a bank or a wallet app brings the buyer back.
          return_url: `${location.origin}/store/checkout/return`,
        };
        const r = await api("POST", "/orders", body, { "Idempotency-Key": key });
        if (!r.ok) return toast(errorOf(r));
        const next = r.data.payment?.next_action;
        if (r.data.status === "pending_payment" && next?.type === "redirect_to_url") {
          sessionStorage.setItem("returning-order", r.data.order_id);
          location.href = next.url;
          return;
        }
        location.href = `/store/orders/${r.data.order_id}`;
      });
    },

    /** Back from PayPal, a bank or a wallet app: settle the payment, then show the order. */
    async paymentReturn() {
      if (needLogin()) return;
      const id = sessionStorage.getItem("returning-order");
      if (!id) return (app().innerHTML = `<p>No payment is waiting. <a href="/store/orders">Your orders</a></p>`);
      app().innerHTML = "<p>Finishing your payment…</p>";
      const r = await api("POST", "/payments/return", { order_id: id });
      sessionStorage.removeItem("returning-order");
      toast(r.ok ? (r.data.status === "paid" ? "Paid" : "Your payment is still being confirmed") : errorOf(r));
      location.href = `/store/orders/${id}`;
    },

    async orders() {
      if (needLogin()) return;
      const [r, lots] = await Promise.all([api("GET", "/orders?limit=50"), api("GET", "/account/auctions?limit=50")]);
      const RELATION = { leading: "you lead", outbid: "outbid", won: "you won", lost: "ended" };
      app().innerHTML =
        (r.data.data.length
          ? `<ul class="list">${r.data.data.map((o) => `<li><a href="/store/orders/${o.order_id}">${o.order_id}</a> · ${esc(o.status)} · ${money(o.total_amount)} · ${new Date(o.created_at).toLocaleString()}</li>`).join("")}</ul>`
          : "<p>No orders yet.</p>") +
        (lots.ok && lots.data.data.length
          ? `<h2>Your auctions</h2><ul class="list" id="my-auctions">${lots.data.data
              .map(
                (l) =>
                  `<li><a href="/store/product/${l.product_id}">${esc(l.name)}</a> · ${RELATION[l.relation] ?? esc(l.relation)} · ${money(l.current_price)} · ${l.bid_count} bids${l.order_id ? ` · <a href="/store/orders/${l.order_id}">pay for it</a>` : ""}</li>`,
              )
              .join("")}</ul>`
          : "");
    },

    async order() {
      if (needLogin()) return;
      const id = location.pathname.split("/").pop();
      const r = await api("GET", `/orders/${id}`);
      if (!r.ok) return (app().textContent = errorOf(r));
      const o = r.data;
      app().innerHTML = `
        <p>Status: <strong id="order-status">${esc(o.status)}</strong>${o.tracking_number ? ` · Tracking ${esc(o.tracking_number)}` : ""}</p>
        <ul class="list">${o.items.map((i) => `<li><a href="/store/product/${i.product_id}">${esc(i.name)}</a>${Object.keys(i.options || {}).length ? ` (${esc(Object.values(i.options).join(" / "))})` : ""} × ${i.quantity} · ${money(i.price)}</li>`).join("")}</ul>
        <p>Total ${money(o.total_amount)}${o.refunded_amount ? ` · Refunded ${money(o.refunded_amount)}` : ""}</p>
        ${o.status === "pending_payment" ? `<button type="button" id="pay-now">Pay with Visa</button>` : ""}
        ${o.status === "delivered" ? `<button type="button" id="return">Return for a refund</button>` : ""}`;
      $("#pay-now")?.addEventListener("click", async () => {
        const p = await api(
          "POST",
          "/payments/pay",
          { order_id: id, payment_method: "pm_card_visa" },
          { "Idempotency-Key": crypto.randomUUID() },
        );
        toast(p.ok ? "Paid" : errorOf(p));
        pages.order();
      });
      $("#return")?.addEventListener("click", async () => {
        const p = await api(
          "POST",
          "/payments/refunds",
          { order_id: id, reason: "Returned by the buyer" },
          { "Idempotency-Key": crypto.randomUUID() },
        );
        toast(
          !p.ok
            ? errorOf(p)
            : p.data.status === "pending"
              ? "Return requested: the seller will send instructions, and the refund follows when the parcel arrives"
              : "Refund issued",
        );
        pages.order();
      });
    },

    async account() {
      const a = auth();
      const next = safeNextPath(new URLSearchParams(location.search).get("next"), location.origin);
      if (a) {
        app().innerHTML = `<p>Signed in as <strong>${esc(a.user.username)}</strong> (${esc(a.user.role)}).</p><button type="button" id="logout">Sign out</button>`;
        $("#logout").addEventListener("click", async () => {
          await api("POST", "/auth/logout", {}, COOKIE_MODE);
          setAuth(null);
          location.href = "/store";
        });
        return;
      }
      app().innerHTML = `
        <div class="cols2">
        <form id="login"><h2>Sign in</h2>
          <label for="le">Email</label><input id="le" type="email" required autocomplete="email">
          <label for="lp">Password</label><input id="lp" type="password" required autocomplete="current-password">
          <button type="submit">Sign in</button><p><a href="/store/reset">Forgot your password?</a></p></form>
        <form id="signup"><h2>Create an account</h2>
          <label for="se">Email</label><input id="se" type="email" required autocomplete="email">
          <label for="su">Username</label><input id="su" required autocomplete="username">
          <label for="sp">Password (8+ characters)</label><input id="sp" type="password" minlength="8" required autocomplete="new-password">
          <label for="sr">I want to</label><select id="sr"><option value="buyer">Buy</option><option value="seller">Sell</option></select>
          <button type="submit">Create account</button></form></div>`;
      const done = (r) => {
        if (!r.ok) return toast(errorOf(r));
        setAuth(r.data);
        localStorage.removeItem("cartId"); // merged into the user's cart by the server
        location.href = next;
      };
      $("#login").addEventListener("submit", async (e) => {
        e.preventDefault();
        done(await api("POST", "/auth/login", { email: $("#le").value, password: $("#lp").value }, COOKIE_MODE));
      });
      $("#signup").addEventListener("submit", async (e) => {
        e.preventDefault();
        done(
          await api(
            "POST",
            "/auth/signup",
            { email: $("#se").value, username: $("#su").value, password: $("#sp").value, role: $("#sr").value },
            COOKIE_MODE,
          ),
        );
      });
    },

    // The links in account emails: a single-use code in the query string, sent to the API once.
    async verify() {
      const token = new URLSearchParams(location.search).get("token") || "";
      history.replaceState(null, "", "/store/verify");
      const r = await api("POST", "/auth/email/verify", { token });
      app().innerHTML = r.ok
        ? `<p>Thank you: <strong>${esc(r.data.email)}</strong> is confirmed.</p><p><a href="/store">Continue shopping</a></p>`
        : `<p>${esc(errorOf(r))}</p><p><a href="/store/account">Sign in</a> to ask for a new link.</p>`;
    },

    async reset() {
      const token = new URLSearchParams(location.search).get("token") || "";
      history.replaceState(null, "", "/store/reset");
      if (!token) {
        app().innerHTML = `<form id="forgot"><label for="fe">Your account's email</label><input id="fe" type="email" required autocomplete="email"><button type="submit">Email me a reset link</button></form>`;
        $("#forgot").addEventListener("submit", async (e) => {
          e.preventDefault();
          await api("POST", "/auth/password/forgot", { email: $("#fe").value });
          toast("If that address has an account, a reset link is on its way.");
        });
        return;
      }
      app().innerHTML = `<form id="reset"><label for="np">New password (8+ characters)</label><input id="np" type="password" minlength="8" required autocomplete="new-password"><button type="submit">Set password</button></form>`;
      $("#reset").addEventListener("submit", async (e) => {
        e.preventDefault();
        const r = await api("POST", "/auth/password/reset", { token, password: $("#np").value });
        if (r.ok) location.href = "/store/account";
        else toast(errorOf(r));
      });
    },

    async notifications() {
      if (needLogin()) return;
      const r = await api("GET", "/notifications?limit=50");
      app().innerHTML = `<button type="button" id="read-all">Mark all read</button><ul class="list">${r.data.data
        .map(
          (n) =>
            `<li class="${n.read ? "" : "unread"}"><strong>${esc(n.title)}</strong> ${esc(n.body)} <small>${new Date(n.created_at).toLocaleString()}</small></li>`,
        )
        .join("")}</ul>`;
      $("#read-all").addEventListener("click", async () => {
        await api("POST", "/notifications/read", { all: true });
        pages.notifications();
        chrome();
      });
    },

    async wishlist() {
      if (needLogin()) return;
      const r = await api("GET", "/wishlist?limit=50");
      app().innerHTML = r.data.data.length
        ? `<ul class="list">${r.data.data.map((w) => `<li><a href="/store/product/${w.product_id}">${esc(w.product ? w.product.name : w.product_id)}</a> <button type="button" data-unwish="${w.product_id}">Remove</button></li>`).join("")}</ul>`
        : "<p>Your wishlist is empty.</p>";
      app()
        .querySelectorAll("[data-unwish]")
        .forEach((b) =>
          b.addEventListener("click", async () => {
            await api("DELETE", `/wishlist/${b.getAttribute("data-unwish")}`);
            pages.wishlist();
          }),
        );
    },

    async dashboard() {
      if (needLogin()) return;
      const me = auth().user;
      const [an, series, orders, products, cats, coupons, bal, lots] = await Promise.all([
        api("GET", "/analytics/seller"),
        api("GET", "/analytics/seller/timeseries"),
        api("GET", "/seller/orders?limit=50"),
        api("GET", `/products?seller_id=${me.user_id}&limit=100`),
        api("GET", "/categories"),
        api("GET", "/coupons"),
        api("GET", "/seller/balance"),
        api("GET", "/seller/auctions?limit=50"),
      ]);
      if (!an.ok) return (app().textContent = errorOf(an));
      const b = bal.ok ? bal.data : { pending: 0, available: 0, paid_out: 0 };
      const month = new Date().toISOString().slice(0, 7);
      const days = series.data.data;
      const max = Math.max(1, ...days.map((d) => d.revenue));
      const chart = `<svg role="img" aria-labelledby="chart-title" width="100%" height="160" viewBox="0 0 ${Math.max(1, days.length) * 30} 160" class="chart">
        <title id="chart-title">Revenue per day: ${days.map((d) => `${d.date} ${money(d.revenue)}`).join(", ") || "no sales yet"}</title>
        ${days.map((d, i) => `<rect x="${i * 30 + 4}" y="${150 - (d.revenue / max) * 140}" width="22" height="${(d.revenue / max) * 140}" class="bar"><title>${d.date}: ${money(d.revenue)}</title></rect>`).join("")}
      </svg>`;
      const flat = [];
      const walk = (n, prefix) => {
        flat.push([n.category_id, prefix + n.name]);
        n.children.forEach((c) => walk(c, `${prefix + n.name} › `));
      };
      cats.data.data.forEach((c) => walk(c, ""));
      const a = an.data;
      app().innerHTML = `
        <section aria-labelledby="h-sales"><h2 id="h-sales">Sales (30 days)</h2>
          <p id="revenue">Revenue <strong>${money(a.revenue)}</strong> · ${a.orders} orders · ${a.units_sold} units · refunds ${money(a.refunds)}</p>
          ${chart}
          <h3>Top products</h3><ol>${a.top_products.map((p) => `<li>${esc(p.name)} · ${p.units_sold} sold · ${money(p.revenue)}</li>`).join("")}</ol>
          <p><a href="/analytics/seller?format=csv" data-download="sales.csv">Download CSV</a></p></section>
        <section aria-labelledby="h-money"><h2 id="h-money">Your money</h2>
          <p id="balance">Pending <strong>${money(b.pending)}</strong> · available <strong>${money(b.available)}</strong> · paid out ${money(b.paid_out)}</p>
          <p>Sales become available 7 days after delivery, less the commission. <a href="/seller/statements/${month}" data-download="statement-${month}.csv">This month's statement (CSV)</a></p></section>
        <section aria-labelledby="h-orders"><h2 id="h-orders">Orders</h2>
          <ul class="list">${orders.data.data
            .map(
              (
                o,
              ) => `<li>${o.order_id} · <span data-status="${o.order_id}">${esc(o.status)}</span> · ${o.items.map((i) => `${esc(i.name)} × ${i.quantity}`).join(", ")}
              ${o.items.some((i) => i.status === "paid") ? `<label for="t-${o.order_id}" class="sr">Tracking number</label><input id="t-${o.order_id}" placeholder="Tracking number"><button type="button" data-ship="${o.order_id}">Mark shipped</button>` : ""}
              ${o.items.some((i) => i.status === "shipped") ? `<button type="button" data-deliver="${o.order_id}">Mark delivered</button>` : ""}</li>`,
            )
            .join("")}</ul></section>
        <section aria-labelledby="h-products"><h2 id="h-products">Products and stock</h2>
          <ul class="list">${products.data.data
            .map(
              (
                p,
              ) => `<li>${esc(p.name)} · ${money(p.price)} · <span class="${p.stock_available <= 5 ? "warn" : ""}">${p.stock_available} in stock${p.stock_available <= 5 ? " (low)" : ""}</span>
              <label for="r-${p.product_id}" class="sr">Units to add</label><input id="r-${p.product_id}" type="number" value="10" class="small"><button type="button" data-restock="${p.product_id}">Restock</button>
              <button type="button" data-archive="${p.product_id}">Archive</button></li>`,
            )
            .join("")}</ul>
          <form id="new-product"><h3>New product</h3>
            <label for="np-name">Name</label><input id="np-name" required>
            <label for="np-desc">Description</label><textarea id="np-desc" required></textarea>
            <label for="np-price">Price (dollars)</label><input id="np-price" type="number" step="0.01" min="0.01" required>
            <label for="np-stock">Stock</label><input id="np-stock" type="number" min="0" value="10" required>
            <label for="np-cat">Category</label><select id="np-cat">${flat.map(([id, name]) => `<option value="${id}">${esc(name)}</option>`).join("")}</select>
            <button type="submit">Create</button></form></section>
        <section aria-labelledby="h-auctions"><h2 id="h-auctions">Auctions</h2>
          ${
            lots.ok && lots.data.data.length
              ? `<table><caption class="sr">Your auctions</caption><thead><tr><th>Item</th><th>Status</th><th>Bids</th><th>Price</th><th>Ends</th><th></th></tr></thead><tbody>${lots.data.data
                  .map(
                    (
                      l,
                    ) => `<tr><td><a href="/store/product/${l.product_id}">${esc(l.name)}</a></td><td>${esc(l.status === "ended" ? l.outcome.replace("_", " ") : "live")}</td><td>${l.bid_count}</td><td>${money(l.current_price)}</td><td>${new Date(l.ends_at).toLocaleString()}</td>
                  <td>${l.order_id ? `order ${esc(l.order_id)}` : ""}${l.outcome === "sold" ? ` <button type="button" data-second-chance="${l.product_id}">Offer to the runner-up</button>` : ""}</td></tr>`,
                  )
                  .join("")}</tbody></table>`
              : "<p>No auctions yet. List one with an <code>auction</code> on POST /products.</p>"
          }</section>
        <section aria-labelledby="h-coupons"><h2 id="h-coupons">Coupons</h2>
          <ul class="list">${(coupons.data ? coupons.data.data : []).map((c) => `<li>${esc(c.code)} · ${c.kind} ${c.value} · used ${c.times_redeemed}${c.usage_limit ? ` of ${c.usage_limit}` : ""}</li>`).join("")}</ul>
          <form id="new-coupon"><label for="nc-code">Code</label><input id="nc-code" required pattern="[A-Za-z0-9_-]{3,32}">
            <label for="nc-pct">Percent off</label><input id="nc-pct" type="number" min="1" max="100" value="10">
            <button type="submit">Create coupon</button></form></section>`;
      const act = (sel, fn) =>
        app()
          .querySelectorAll(sel)
          .forEach((b) => b.addEventListener("click", fn(b)));
      act("[data-second-chance]", (b) => async () => {
        const r = await api("POST", `/auctions/${b.getAttribute("data-second-chance")}/second-chance`);
        toast(r.ok ? `Offered to the runner-up at ${money(r.data.total_amount)}` : errorOf(r));
        if (r.ok) pages.dashboard();
      });
      act("[data-ship]", (b) => async () => {
        const id = b.getAttribute("data-ship");
        const r = await api("POST", `/orders/${id}/status`, {
          status: "shipped",
          tracking_number: $(`#t-${id}`).value || "TRACK",
        });
        toast(r.ok ? "Marked shipped" : errorOf(r));
        pages.dashboard();
      });
      act("[data-deliver]", (b) => async () => {
        const r = await api("POST", `/orders/${b.getAttribute("data-deliver")}/status`, { status: "delivered" });
        toast(r.ok ? "Marked delivered" : errorOf(r));
        pages.dashboard();
      });
      act("[data-restock]", (b) => async () => {
        const id = b.getAttribute("data-restock");
        const r = await api("POST", `/inventory/${id}`, { quantity: Number($(`#r-${id}`).value) });
        toast(r.ok ? `Stock now ${r.data.stock_available}` : errorOf(r));
        pages.dashboard();
      });
      act("[data-archive]", (b) => async () => {
        const r = await api("DELETE", `/products/${b.getAttribute("data-archive")}`);
        toast(r.ok ? "Archived" : errorOf(r));
        pages.dashboard();
      });
      $("#new-product").addEventListener("submit", async (e) => {
        e.preventDefault();
        const r = await api("POST", "/products", {
          name: $("#np-name").value,
          description: $("#np-desc").value,
          price: Math.round(Number($("#np-price").value) * 100),
          stock_available: Number($("#np-stock").value),
          category_id: $("#np-cat").value,
        });
        toast(r.ok ? "Product created" : errorOf(r));
        if (r.ok) pages.dashboard();
      });
      $("#new-coupon").addEventListener("submit", async (e) => {
        e.preventDefault();
        const r = await api("POST", "/coupons", {
          code: $("#nc-code").value,
          kind: "percent",
          value: Number($("#nc-pct").value),
        });
        toast(r.ok ? "Coupon created" : errorOf(r));
        if (r.ok) pages.dashboard();
      });
    },

    async admin() {
      if (needLogin()) return;
      const [platform, dead, taxes] = await Promise.all([
        api("GET", "/analytics/platform"),
        api("GET", "/admin/dead-letters"),
        api("GET", "/analytics/tax"),
      ]);
      if (!platform.ok) return (app().textContent = errorOf(platform));
      const p = platform.data;
      const tax = taxes.ok
        ? taxes.data
        : { data: [], totals: { collected: 0, refunded: 0, net: 0, included: 0, included_net: 0 } };
      app().innerHTML = `
        <section aria-labelledby="h-platform"><h2 id="h-platform">Platform (30 days)</h2>
          <p>GMV <strong>${money(p.gmv)}</strong> · ${p.orders} orders · ${p.active_buyers} buyers · ${p.registrations} sign-ups · ${p.searches} searches</p></section>
        <section aria-labelledby="h-tax"><h2 id="h-tax">Tax by jurisdiction (30 days, usd)</h2>
          ${
            tax.data.length
              ? `<div class="scroll"><table><caption class="sr">Tax by jurisdiction</caption><thead><tr><th scope="col">Jurisdiction</th><th scope="col">Orders</th><th scope="col">Sales tax collected</th><th scope="col">Refunded</th><th scope="col">Net to remit</th><th scope="col">VAT/GST in prices (net)</th></tr></thead>
          <tbody>${tax.data.map((j) => `<tr><td>${esc(j.jurisdiction || "unknown")}</td><td>${j.orders}</td><td>${money(j.collected)}</td><td>${money(j.refunded)}</td><td><strong>${money(j.net)}</strong></td><td>${money(j.included_net)}</td></tr>`).join("")}</tbody></table></div>
          <p><a href="/analytics/tax?format=csv" data-download="tax-by-jurisdiction.csv">Download CSV</a></p>`
              : "<p>No tax collected in this period.</p>"
          }</section>
        <section aria-labelledby="h-cat"><h2 id="h-cat">Categories</h2>
          <form id="new-cat"><label for="cat-name">New category name</label><input id="cat-name" required>
          <label for="cat-parent">Parent id (optional)</label><input id="cat-parent"><button type="submit">Create</button></form></section>
        <section aria-labelledby="h-mod"><h2 id="h-mod">Review moderation</h2>
          <form id="moderate"><label for="rev-id">Review id</label><input id="rev-id" required>
          <label for="rev-status">Status</label><select id="rev-status"><option value="hidden">Hide</option><option value="visible">Show</option></select>
          <button type="submit">Apply</button></form></section>
        <section aria-labelledby="h-dlq"><h2 id="h-dlq">Dead letters</h2>
          <ul class="list">${dead.data.data.map((d) => `<li>${esc(d.queue)} · ${esc(d.message_id)} · ${esc(JSON.stringify(d.body).slice(0, 160))}</li>`).join("") || "<li>None</li>"}</ul></section>`;
      $("#new-cat").addEventListener("submit", async (e) => {
        e.preventDefault();
        const body = { name: $("#cat-name").value };
        if ($("#cat-parent").value) body.parent_id = $("#cat-parent").value;
        const r = await api("POST", "/categories", body);
        toast(r.ok ? `Created ${r.data.category_id}` : errorOf(r));
      });
      $("#moderate").addEventListener("submit", async (e) => {
        e.preventDefault();
        const r = await api("POST", `/reviews/${$("#rev-id").value}/moderation`, { status: $("#rev-status").value });
        toast(r.ok ? "Done" : errorOf(r));
      });
    },
  };

  // Downloads need the access token, which a plain link would not send: fetch, then save.
  document.addEventListener("click", async (e) => {
    const link = e.target instanceof Element ? e.target.closest("a[data-download]") : null;
    if (!link) return;
    e.preventDefault();
    await ready;
    const res = await fetch(link.getAttribute("href"), {
      headers: session.access ? { authorization: `Bearer ${session.access}` } : {},
    });
    if (!res.ok) return toast(`Error ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = link.getAttribute("data-download");
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  document.addEventListener("DOMContentLoaded", () => {
    chrome();
    const page = document.body.getAttribute("data-page");
    if (pages[page]) pages[page]();
  });
})();
