// The storefront's one script (an ES module): talks to the JSON API with the
// signed-in user's access token and the guest cart id, and renders the pages that
// need them. The access token lives only in memory; the refresh token is an
// HttpOnly cookie scoped to /auth that no script can read (docs/security.md).
import { safeNextPath } from "./next-path.js";
import { settings } from "./account.js";
import { $, COOKIE_MODE, session, auth, setAuth, ready, toast, api, needLogin, app, on } from "./core.js";
import { errorOf, esc, money } from "./html.js";
import { buyerViews, checkoutShipping, checkoutTotals } from "./buyer-views.js";
import { runPage } from "./dashboard.js";

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
      $("#restock-alert")?.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (needLogin()) return;
        const r = await api("POST", "/wishlist", { product_id: id, variant_id: $("#alert-variant").value });
        toast(r.ok ? "We will tell you when it is back in stock" : errorOf(r));
      });
      document.querySelectorAll("[data-helpful]").forEach((b) =>
        b.addEventListener("click", async () => {
          if (needLogin()) return;
          const r = await api("POST", `/reviews/${b.getAttribute("data-helpful")}/helpful`);
          if (r.ok) b.textContent = `Helpful (${r.data.helpful_count})`;
          else toast(errorOf(r));
        }),
      );
      document.querySelectorAll("[data-report]").forEach((b) =>
        b.addEventListener("click", async () => {
          if (needLogin()) return;
          const r = await api("POST", `/reviews/${b.getAttribute("data-report")}/report`, { reason: "other" });
          toast(r.ok ? "Thanks: a moderator will look at it" : errorOf(r));
          if (r.ok) b.disabled = true;
        }),
      );
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

    // Rendered by the server for a signed-in buyer (the page cookie); a guest's cart by this script.
    cart: () =>
      runPage(
        buyerViews.cart,
        (_data, _ctx, reload) => {
          // Each control changes the cart, then the page shows what the API answers (prices, limits).
          const change = async (path, body) => {
            const r = await api("POST", path, body);
            if (!r.ok) toast(errorOf(r));
            await reload();
            chrome();
          };
          const line = (b, attr) => ({
            product_id: b.getAttribute(attr),
            variant_id: b.getAttribute("data-variant"),
          });
          on("[data-remove]", (b) => change("/cart/remove", line(b, "data-remove")));
          on("[data-dec]", (b) => change("/cart/remove", { ...line(b, "data-dec"), quantity: 1 }));
          on("[data-inc]", (b) => change("/cart/add", { ...line(b, "data-inc"), quantity: 1 }));
          on("[data-uncoupon]", (b) => change("/cart/coupon/remove", { code: b.getAttribute("data-uncoupon") }));
          $("#coupon")?.addEventListener("submit", async (e) => {
            e.preventDefault();
            const res = await api("POST", "/cart/coupon", { code: $("#code").value });
            toast(res.ok ? "Coupon applied" : errorOf(res));
            reload();
          });
        },
        { guests: true },
      ),

    // Rendered by the server for a signed-in buyer (the page cookie), then wired here.
    checkout: () => runPage(buyerViews.checkout, ({ c }) => wireCheckout(c)),
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

    orders: () => runPage(buyerViews.orders),
    order: () =>
      runPage(buyerViews.order, ({ o }, _ctx, reload) => {
        // 3-D Secure: the test provider's card completes authentication as Stripe's test page does; a
        // retry with another card confirms the same payment (POST /payments/pay).
        const pay = async () => {
          const p = await api(
            "POST",
            "/payments/pay",
            { order_id: o.order_id, payment_method: "pm_card_visa" },
            { "Idempotency-Key": crypto.randomUUID() },
          );
          toast(p.ok ? "Paid" : errorOf(p));
          reload();
        };
        $("#pay-now")?.addEventListener("click", pay);
        $("#confirm-3ds")?.addEventListener("click", pay);
        $("#return")?.addEventListener("click", async () => {
          const p = await api(
            "POST",
            "/payments/refunds",
            { order_id: o.order_id, reason: "Returned by the buyer" },
            { "Idempotency-Key": crypto.randomUUID() },
          );
          toast(
            !p.ok
              ? errorOf(p)
              : p.data.status === "pending"
                ? "Return requested: the seller will send instructions, and the refund follows when the parcel arrives"
                : "Refund issued",
          );
          reload();
        });
      }),

    async account() {
      const a = auth();
      const next = safeNextPath(new URLSearchParams(location.search).get("next"), location.origin);
      if (a) {
        app().innerHTML = `<p>Signed in as <strong>${esc(a.user.username)}</strong> (${esc(a.user.role)}).</p><button type="button" id="logout">Sign out</button><div id="settings"></div>`;
        settings($("#settings"));
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

    notifications: () =>
      runPage(buyerViews.notifications, (_data, _ctx, reload) =>
        $("#read-all").addEventListener("click", async () => {
          await api("POST", "/notifications/read", { all: true });
          await reload();
          chrome();
        }),
      ),

    wishlist: () =>
      runPage(buyerViews.wishlist, (_data, _ctx, reload) =>
        on("[data-unwish]", async (b) => {
          await api("DELETE", `/wishlist/${b.getAttribute("data-unwish")}`);
          reload();
        }),
      ),
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
    // The seller dashboard and the admin pages are their own modules, loaded only where they are used.
    else if (/^(seller|admin)-/.test(page))
      import(page.startsWith("seller-") ? "./seller.js" : "./admin.js").then((m) => m.pages[page]?.());
  });
})();

/** The checkout's controls: quote the address, pick shipping and payment, then place the order once. */
function wireCheckout(c) {
  if (!$("#pay")) return; // an empty cart: nothing to wire
  // Which step the buyer is on: shipping and payment open once the address is quoted.
  const step = (name) => {
    for (const li of document.querySelectorAll(".steps li"))
      li.getAttribute("data-step") === name
        ? li.setAttribute("aria-current", "step")
        : li.removeAttribute("aria-current");
  };
  // One key per attempt: a retried request replays its answer; after a refusal the next attempt is new.
  let key = crypto.randomUUID();
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
    $("#step-payment").hidden = false;
    $("#step-review").hidden = false;
    step("payment");
    $("#summary").innerHTML = checkoutShipping(cart);
    $("#totals").innerHTML = checkoutTotals(cart);
    $("#place-order").textContent = `Place order · ${money(cart.total)}`;
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
  $("#pm").addEventListener("change", () => shown && step("review"));
  // A changed address needs a new quote before the order is placed.
  for (const id of ["line1", "city", "postal", "country", "region"])
    $(`#${id}`).addEventListener("input", () => {
      shown = null;
      step("address");
    });
  // The server rendered the quote already; wire its shipping choices.
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
    if (!r.ok) {
      key = crypto.randomUUID();
      // A declined card holds nothing: say so where the buyer is looking, and let them choose again.
      $("#pay-error").hidden = false;
      $("#pay-error").textContent =
        r.status === 402 ? `${errorOf(r)} Nothing was charged; choose another way to pay.` : errorOf(r);
      return toast(errorOf(r));
    }
    const next = r.data.payment?.next_action;
    if (r.data.status === "pending_payment" && next?.type === "redirect_to_url") {
      sessionStorage.setItem("returning-order", r.data.order_id);
      location.href = next.url;
      return;
    }
    location.href = `/store/orders/${r.data.order_id}`;
  });
}
