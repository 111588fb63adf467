// A signed-in buyer's own pages as data and HTML: the cart, orders, one order, notifications and the
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
          <thead><tr><th scope="col">Product</th><th scope="col">Qty</th><th scope="col">Price</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>${c.items
            .map(
              (
                i,
              ) => `<tr><td><a href="/store/product/${esc(i.product_id)}">${esc(i.name)}</a>${options(i)}${i.price_changed ? ` <em>(was ${money(i.price_when_added)})</em>` : ""}</td>
              <td>${i.quantity}</td><td>${money(i.line_total)}</td>
              <td><button type="button" data-remove="${esc(i.product_id)}" data-variant="${esc(i.variant_id)}">Remove</button></td></tr>`,
            )
            .join("")}</tbody></table>
        <p>Subtotal ${money(c.subtotal)}${c.discount ? ` · Discount −${money(c.discount)}` : ""} · <strong>Total ${money(c.total)}</strong></p>
        ${c.coupon_warnings.map((w) => `<p class="warn">${esc(w.code)}: ${esc(w.reason)}</p>`).join("")}
        <form id="coupon"><label for="code">Coupon code</label><input id="code" name="code" required><button type="submit">Apply</button></form>
        <p><a class="button" href="/store/checkout" id="to-checkout">Check out</a></p>`;
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
