// A signed-in buyer's own pages as data and HTML: the cart, the checkout, orders, one order, notifications and the
// wishlist (a guest's cart is rendered by the browser alone: its id is not in a cookie).
// Like seller-views.js: `load(get, ctx)` reads the API, `view(data, ctx)` renders, on the server
// first (src/routes/dashboard-pages.tsx) and in the browser after a change; app.js wires them.
import { errorOf, esc, money, when } from "./html.js";

const RELATION = { leading: "you lead", outbid: "outbid", won: "you won", lost: "ended" };

export const buyerViews = {
  cart: {
    async load(get) {
      const r = await get("/cart");
      return r.ok ? { c: r.data } : { error: errorOf(r) };
    },
    view({ c }) {
      if (!c.items.length) return '<p class="empty">Your cart is empty. <a href="/store">Keep shopping</a>.</p>';
      const options = (i) =>
        Object.keys(i.options || {}).length
          ? ` <span class="options">${esc(Object.values(i.options).join(" / "))}</span>`
          : "";
      return `
        <table><caption class="sr">Items in your cart</caption>
          <thead><tr><th scope="col">Product</th><th scope="col">Qty</th><th scope="col">Price</th></tr></thead>
          <tbody>${c.items
            .map(
              (
                i,
              ) => `<tr><td><a href="/store/product/${esc(i.product_id)}">${esc(i.name)}</a>${options(i)}${i.price_changed ? ` <em>(was ${money(i.price_when_added)})</em>` : ""}
                <br><button type="button" class="quiet" data-remove="${esc(i.product_id)}" data-variant="${esc(i.variant_id)}" aria-label="Remove ${esc(i.name)}">Remove</button></td>
              <td><span class="qty"><button type="button" data-dec="${esc(i.product_id)}" data-variant="${esc(i.variant_id)}" aria-label="One fewer ${esc(i.name)}"${i.quantity <= 1 ? " disabled" : ""}>−</button>
                <output aria-label="Quantity of ${esc(i.name)}">${i.quantity}</output>
                <button type="button" data-inc="${esc(i.product_id)}" data-variant="${esc(i.variant_id)}" aria-label="One more ${esc(i.name)}">+</button></span></td>
              <td>${money(i.line_total)}</td></tr>`,
            )
            .join("")}</tbody></table>
        <p>Subtotal ${money(c.subtotal)}${c.discount ? ` · Discount −${money(c.discount)}` : ""} · <strong>Total ${money(c.total)}</strong></p>
        ${c.coupons.length ? `<ul class="list" aria-label="Coupons applied">${c.coupons.map((k) => `<li><strong>${esc(k.code)}</strong> −${money(k.amount)} <button type="button" data-uncoupon="${esc(k.code)}">Remove</button></li>`).join("")}</ul>` : ""}
        ${c.coupon_warnings.map((w) => `<p class="warn">${esc(w.code)}: ${esc(w.reason)}</p>`).join("")}
        <form id="coupon"><label for="code">Coupon code</label><input id="code" name="code" required><button type="submit">Apply</button></form>
        <p><a class="button" href="/store/checkout" id="to-checkout">Check out</a></p>`;
    },
  },

  // The checkout's form, with the shipping and totals already quoted when the cart has an address
  // (the same `checkoutShipping` and `checkoutTotals` the script renders after each change).
  checkout: {
    async load(get) {
      const [r, w] = await Promise.all([get("/cart"), get("/wallet")]);
      if (!r.ok) return { error: errorOf(r) };
      return {
        c: r.data,
        saved: w.ok ? w.data.payment_methods : [],
        balance: w.ok ? w.data.balance : 0,
      };
    },
    view({ c, saved, balance }) {
      if (!c.items.length) return '<p class="empty">Your cart is empty. <a href="/store">Keep shopping</a>.</p>';
      const a = c.shipping_address || {};
      const quoted = Boolean(c.shipping_address);
      const step = (name) => ((quoted ? "payment" : "address") === name ? ' aria-current="step"' : "");
      return `
        <p>${c.items.length} item(s), subtotal <strong>${money(c.subtotal)}</strong>.</p>
        <ol class="steps" aria-label="Checkout steps">
          <li data-step="address"${step("address")}>Address</li><li data-step="shipping">Shipping</li><li data-step="payment"${step("payment")}>Payment</li><li data-step="review">Review and pay</li>
        </ol>
        <form id="pay">
          <fieldset id="step-address"><legend>1. Where it goes</legend>
          <label for="name">Full name</label><input id="name" required autocomplete="name" value="${esc(a.name || "")}">
          <label for="line1">Address</label><input id="line1" required autocomplete="address-line1" value="${esc(a.line1 || "")}">
          <label for="city">City</label><input id="city" required autocomplete="address-level2" value="${esc(a.city || "")}">
          <label for="postal">Postal code</label><input id="postal" required autocomplete="postal-code" value="${esc(a.postal_code || "")}">
          <label for="country">Country (2 letters)</label><input id="country" required value="${esc(a.country || "US")}" maxlength="2">
          <label for="region">Region or state (optional, e.g. CA)</label><input id="region" maxlength="10" value="${esc(a.region || "")}" autocomplete="address-level1">
          <button type="button" id="quote">Continue to shipping</button></fieldset>
          <section id="summary" aria-live="polite">${quoted ? checkoutShipping(c) : ""}</section>
          <fieldset id="step-payment"${quoted ? "" : " hidden"}><legend>3. How you pay</legend>
          <label for="pm">Payment method</label>
          <select id="pm">
            ${saved.length ? `<optgroup label="Saved cards">${saved.map((m) => `<option value="saved:${esc(m.payment_method_id)}">${esc(m.label ? `${m.label} · ${m.display}` : m.display)}</option>`).join("")}</optgroup>` : ""}
            <optgroup label="Card (test cards)"><option value="pm_card_visa">Visa (succeeds)</option><option value="pm_card_chargeDeclined">Declined card</option><option value="pm_card_authenticationRequired">Card needing 3-D Secure</option></optgroup>
            <optgroup label="Elsewhere"><option value="paypal">PayPal</option><option value="pm_test_redirect_bank">Bank transfer (redirect to your bank)</option></optgroup>
          </select>
          <label class="check"><input type="checkbox" id="save-card"> Save this card for next time</label>
          <label class="check"><input type="checkbox" id="wallet"> Use store credit first${balance ? ` (${money(balance)} available)` : ""}</label>
          </fieldset>
          <section id="step-review"${quoted ? "" : " hidden"} aria-labelledby="h-review"><h2 id="h-review">4. Review and pay</h2>
            <div id="totals" aria-live="polite">${quoted ? checkoutTotals(c) : ""}</div>
            <p id="pay-error" class="error" role="alert" hidden></p>
            <button type="submit" id="place-order">${quoted ? `Place order · ${money(c.total)}` : "Place order"}</button></section>
        </form>`;
    },
  },

  orders: {
    async load(get) {
      const [r, lots] = await Promise.all([get("/orders?limit=50"), get("/account/auctions?limit=50")]);
      if (!r.ok) return { error: errorOf(r) };
      return { orders: r.data.data, lots: lots.ok ? lots.data.data : [] };
    },
    view({ orders, lots }) {
      return (
        (orders.length
          ? `<ul class="list">${orders.map((o) => `<li><a href="/store/orders/${esc(o.order_id)}">${esc(o.order_id)}</a> · ${esc(o.status.replaceAll("_", " "))} · ${money(o.total_amount)} · ${when(o.created_at)}</li>`).join("")}</ul>`
          : '<p class="empty">No orders yet. <a href="/store/search">Find something you like</a>.</p>') +
        (lots.length
          ? `<h2>Your auctions</h2><ul class="list" id="my-auctions">${lots
              .map(
                (l) =>
                  `<li><a href="/store/product/${esc(l.product_id)}">${esc(l.name)}</a> · ${RELATION[l.relation] ?? esc(l.relation)} · ${money(l.current_price)} · ${l.bid_count} bids${l.order_id ? ` · <a href="/store/orders/${esc(l.order_id)}">pay for it</a>` : ""}</li>`,
              )
              .join("")}</ul>`
          : "")
      );
    },
  },

  order: {
    async load(get, { url }) {
      const id = decodeURIComponent(url.pathname.split("/").pop());
      const r = await get(`/orders/${encodeURIComponent(id)}`);
      return r.ok ? { o: r.data } : { error: errorOf(r) };
    },
    view({ o }) {
      const sellers = [...new Set(o.items.map((i) => i.seller_id))];
      const action = o.payment?.next_action;
      const waiting =
        o.status !== "pending_payment"
          ? ""
          : action?.type === "use_stripe_sdk"
            ? `<section class="notice" aria-labelledby="h-confirm"><h2 id="h-confirm">Your bank asks you to confirm this payment</h2>
                <p>Your card needs 3-D Secure. Nothing is charged until it is confirmed; your items are held for you meanwhile.</p>
                <button type="button" id="confirm-3ds">Complete authentication</button>
                <button type="button" id="pay-now">Pay with another card (Visa)</button></section>`
            : `<section class="notice" aria-labelledby="h-unpaid"><h2 id="h-unpaid">This order is not paid yet</h2>
                <button type="button" id="pay-now">Pay with Visa</button></section>`;
      return `
        <p>Status: <strong id="order-status">${esc(o.status)}</strong>${o.tracking_number ? ` · Tracking ${esc(o.tracking_number)}` : ""}</p>
        ${waiting}
        ${sellers
          .map((seller, n) => {
            const lines = o.items.filter((i) => i.seller_id === seller);
            const tracking = [...new Set(lines.map((i) => i.tracking_number).filter(Boolean))];
            // Each seller ships their own lines: one shipment, with its own status and tracking, per seller.
            return `<section class="shipment" aria-labelledby="h-ship-${n}"><h2 id="h-ship-${n}">Shipment ${n + 1} of ${sellers.length}</h2>
              <p>${[...new Set(lines.map((i) => i.status))].map(esc).join(", ")}${tracking.length ? ` · Tracking <span data-tracking>${tracking.map(esc).join(", ")}</span>` : ""}</p>
              <ul class="list">${lines.map((i) => `<li><a href="/store/product/${esc(i.product_id)}">${esc(i.name)}</a>${Object.keys(i.options || {}).length ? ` (${esc(Object.values(i.options).join(" / "))})` : ""} × ${i.quantity} · ${money(i.price)}</li>`).join("")}</ul></section>`;
          })
          .join("")}
        <p>Total ${money(o.total_amount)}${o.refunded_amount ? ` · Refunded ${money(o.refunded_amount)}` : ""}</p>
        ${o.status === "delivered" ? `<button type="button" id="return">Return for a refund</button>` : ""}`;
    },
  },

  notifications: {
    async load(get) {
      const r = await get("/notifications?limit=50");
      return r.ok ? { items: r.data.data } : { error: errorOf(r) };
    },
    view({ items }) {
      return `<button type="button" id="read-all">Mark all read</button>${
        items.length
          ? `<ul class="list">${items.map((n) => `<li class="${n.read ? "" : "unread"}"><strong>${esc(n.title)}</strong> ${esc(n.body)} <small>${when(n.created_at)}</small></li>`).join("")}</ul>`
          : '<p class="empty">Nothing new: we will tell you here when an order moves.</p>'
      }`;
    },
  },

  wishlist: {
    async load(get) {
      const r = await get("/wishlist?limit=50");
      return r.ok ? { items: r.data.data } : { error: errorOf(r) };
    },
    view({ items }) {
      return items.length
        ? `<ul class="list">${items.map((w) => `<li><a href="/store/product/${esc(w.product_id)}">${esc(w.product ? w.product.name : w.product_id)}</a> <button type="button" data-unwish="${esc(w.product_id)}">Remove</button></li>`).join("")}</ul>`
        : '<p class="empty">Your wishlist is empty. <a href="/store/search">Browse the store</a>.</p>';
    },
  },
};

/** Each seller's shipping options as radio buttons, the cheapest (or the chosen one) checked. */
export function checkoutShipping(cart) {
  return `<h2>2. Shipping</h2>
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
      .join("")}`;
}

/** What the buyer pays: subtotal, discount, shipping, tax and the total the order will charge. */
export function checkoutTotals(cart) {
  return `
    <table class="totals"><tbody>
      <tr><th scope="row">Subtotal</th><td>${money(cart.subtotal)}</td></tr>
      ${cart.discount ? `<tr><th scope="row">Discount</th><td>−${money(cart.discount)}</td></tr>` : ""}
      <tr><th scope="row">Shipping</th><td id="shipping-total">${money(cart.shipping_total)}</td></tr>
      <tr><th scope="row">Tax</th><td id="tax-total">${money(cart.tax_total)}${cart.tax_included ? ` (${money(cart.tax_included)} VAT included in prices)` : ""}</td></tr>
      <tr><th scope="row">Total</th><td><strong id="order-total">${money(cart.total)}</strong></td></tr>
    </tbody></table>`;
}
