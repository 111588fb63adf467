// The seller dashboard's pages as data and HTML, one per job. Each page is `load(get, ctx)`, which
// reads the JSON API (`get(path, as)` answers `{ ok, status, data }`), and `view(data, ctx)`, which
// turns what it read into HTML. The server runs both for the first paint; the browser runs them
// again after a change and wires the controls (seller.js). `ctx` is `{ url, user }`.
import { badge, csv, errorOf, esc, money, opts, pager, passOn, statusFilter, table, when } from "./html.js";

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const ORDER_STATUSES = [
  "pending_payment",
  "paid",
  "shipped",
  "delivered",
  "cancelled",
  "refunded",
  "partially_refunded",
];
const RETURN_STATUSES = ["requested", "approved", "rejected", "in_transit", "received", "refunded"];

/** The category tree flattened depth-first: [id, "Parent › Child"]. */
const categoryPaths = (roots) => {
  const flat = [];
  const walk = (n, prefix) => {
    flat.push([n.category_id, prefix + n.name]);
    for (const c of n.children) walk(c, `${prefix + n.name} › `);
  };
  for (const c of roots) walk(c, "");
  return flat;
};

/** The attribute inputs of a category's schema (those that are not variant options). */
export const attributeFields = (schema, values = {}, prefix = "at") =>
  schema
    .map((a) => {
      const id = `${prefix}-${a.attribute_id}`;
      const v = values[a.name];
      const label = `<label for="${id}">${esc(a.name)}${a.unit ? ` (${esc(a.unit)})` : ""}${a.required ? " *" : ""}</label>`;
      if (a.type === "enum")
        return `${label}<select id="${id}" data-attr="${esc(a.name)}"${a.required ? " required" : ""}><option value=""></option>${a.values.map((o) => `<option${o === v ? " selected" : ""}>${esc(o)}</option>`).join("")}</select>`;
      if (a.type === "boolean")
        return `<label class="check"><input type="checkbox" id="${id}" data-attr="${esc(a.name)}" data-type="boolean"${v ? " checked" : ""}> ${esc(a.name)}</label>`;
      return `${label}<input id="${id}" data-attr="${esc(a.name)}"${a.type === "number" ? ' data-type="number" type="number" step="any"' : ' type="text"'}${a.required ? " required" : ""} value="${esc(v ?? "")}">`;
    })
    .join("") || "<p>This category has no attributes.</p>";

const attributesOf = async (get, categoryId) => {
  if (!categoryId) return [];
  const r = await get(`/categories/${encodeURIComponent(categoryId)}/attributes`);
  return r.ok ? r.data.data.filter((a) => !a.variant_option) : [];
};

export const sellerViews = {
  "seller-overview": {
    async load(get) {
      const [an, series, conv, bal, settings, chart] = await Promise.all([
        get("/analytics/seller"),
        get("/analytics/seller/timeseries"),
        get("/analytics/seller/conversion"),
        get("/seller/balance"),
        get("/seller/settings"),
        // SVG drawn by the server (same origin, escaped there); the table below is its fallback.
        get("/analytics/seller/timeseries?format=svg", "text"),
      ]);
      if (!an.ok) return { error: errorOf(an) };
      return {
        a: an.data,
        days: series.ok ? series.data.data : [],
        conv: conv.ok ? conv.data.data : [],
        b: bal.ok ? bal.data : { pending: 0, available: 0, paid_out: 0 },
        s: settings.ok ? settings.data : null,
        chart: chart.ok ? chart.data : null,
      };
    },
    view({ a, days, conv, b, s, chart }) {
      const views = conv.reduce((n, r) => n + r.views, 0);
      const bought = conv.reduce((n, r) => n + r.purchases, 0);
      return `
      <ul class="kpis" aria-label="Last 30 days">
        <li><span>Revenue</span><strong id="revenue">${money(a.revenue)}</strong></li>
        <li><span>Orders</span><strong>${a.orders}</strong></li>
        <li><span>Units sold</span><strong>${a.units_sold}</strong></li>
        <li><span>Conversion</span><strong>${views ? pct(Math.min(1, bought / views)) : "–"}</strong><small>${bought} purchases, ${views} product views</small></li>
        <li><span>Refunds</span><strong>${money(a.refunds)}</strong></li>
      </ul>
      <section aria-labelledby="h-chart"><h2 id="h-chart">Revenue per day (30 days)</h2>
        <figure class="chart-box">${chart ?? "<p>The chart is unavailable.</p>"}
          <figcaption><details><summary>The numbers as a table</summary>${table(
            "Revenue per day",
            ["Day", "Orders", "Units", "Revenue"],
            days.map((d) => [esc(d.date), d.orders, d.units, money(d.revenue)]),
            "No sales in this period.",
          )}</details></figcaption></figure>
        <p>${csv("/analytics/seller/timeseries?format=csv", "revenue-per-day.csv", "Download per day (CSV)")} · ${csv("/analytics/seller?format=csv", "top-products.csv", "Top products (CSV)")} · ${csv("/analytics/seller/conversion?format=csv", "conversion.csv", "Conversion (CSV)")}</p></section>
      <div class="panels">
        <section aria-labelledby="h-top"><h2 id="h-top">Top products</h2>
          ${table(
            "Top products",
            ["Product", "Units", "Revenue"],
            a.top_products.map((p) => [
              `<a href="/store/product/${esc(p.product_id)}">${esc(p.name)}</a>`,
              p.units_sold,
              money(p.revenue),
            ]),
            "No sales yet.",
          )}</section>
        <section aria-labelledby="h-low"><h2 id="h-low">Low stock</h2>
          ${table(
            "Low stock",
            ["Product", "In stock"],
            (a.low_stock ?? []).map((p) => [
              `<a href="/dashboard/products">${esc(p.name ?? p.product_id)}</a>`,
              `<span class="warn">${p.stock_available ?? p.stock ?? 0}</span>`,
            ]),
            "Nothing is running low.",
          )}</section>
        <section aria-labelledby="h-payout"><h2 id="h-payout">Next payout</h2>
          <p id="balance">Available <strong>${money(b.available)}</strong> · pending ${money(b.pending)} · paid out ${money(b.paid_out)}</p>
          <p>${s ? (s.on_hold ? "Payouts are on hold." : `Paid ${esc(s.payout_schedule)}${s.payout_account ? "" : " once you add a payout account"}.`) : ""} Sales become available ${s ? s.hold_days : 7} days after delivery, less the commission.</p>
          <p><a href="/dashboard/payouts">Payouts and statements</a></p></section>
      </div>`;
    },
  },

  "seller-orders": {
    async load(get, { url }) {
      const r = await get(passOn(url, "/seller/orders?limit=20", ["status", "cursor"]));
      return r.ok ? { page: r.data } : { error: errorOf(r) };
    },
    view({ page }, { url }) {
      const mine = (o) => o.items.reduce((s, i) => s + i.price * i.quantity - i.discount, 0);
      return `${statusFilter(url, "f-status", ORDER_STATUSES)}
      <p>${csv(passOn(url, "/seller/orders?format=csv&limit=100", ["status"]), "orders.csv", "Download these orders (CSV)")}</p>
      ${table(
        "Your orders",
        ["Order", "Placed", "Status", "Items", "Your lines"],
        page.data.map((o) => [
          `<a href="/dashboard/orders/${esc(o.order_id)}">${esc(o.order_id)}</a>`,
          when(o.created_at),
          `<span data-status="${esc(o.order_id)}">${badge(o.status)}</span>`,
          o.items.map((i) => `${esc(i.name)} × ${i.quantity}`).join("<br>"),
          money(mine(o)),
        ]),
        "No orders match.",
      )}${pager(url, page.next_cursor)}`;
    },
  },

  "seller-order": {
    async load(get, { url }) {
      const id = decodeURIComponent(url.pathname.split("/").pop());
      const r = await get(`/orders/${encodeURIComponent(id)}`);
      return r.ok ? { o: r.data } : { error: errorOf(r) };
    },
    view({ o }, { user }) {
      const lines = o.items.filter((i) => i.seller_id === user.user_id || user.role === "admin");
      const canShip = lines.some((i) => i.status === "paid");
      const canDeliver = lines.some((i) => i.status === "shipped");
      const a = o.shipping_address;
      const id = esc(o.order_id);
      return `<p><a href="/dashboard/orders">← All orders</a></p>
      <p>Placed ${when(o.created_at)} · <span data-status="${id}">${esc(o.status)}</span>${o.payment ? ` · payment ${esc(o.payment.status)}` : ""}</p>
      ${table(
        "Your lines",
        ["Item", "Options", "Qty", "Price", "Status", "Money", "Tracking"],
        lines.map((i) => [
          `<a href="/store/product/${esc(i.product_id)}">${esc(i.name)}</a>`,
          opts(i.options),
          i.quantity,
          money(i.price * i.quantity - i.discount),
          badge(i.status),
          esc(i.capture_state ?? "–"),
          esc(i.tracking_number ?? ""),
        ]),
      )}
      <section aria-labelledby="h-ship-to"><h2 id="h-ship-to">Ship to</h2>
        <address>${a && typeof a === "object" ? [a.name, a.line1, `${a.postal_code ?? ""} ${a.city ?? ""}`, a.region, a.country].filter(Boolean).map(esc).join("<br>") : esc(a ?? "")}</address></section>
      ${
        canShip
          ? `<form id="ship" class="inline"><label for="t-${id}">Tracking number</label><input id="t-${id}" required maxlength="100">
          <button type="submit" data-ship="${id}">Mark shipped</button></form>`
          : ""
      }
      ${canDeliver ? `<p><button type="button" data-deliver="${id}">Mark delivered</button></p>` : ""}
      <form id="refund" class="inline"><h2>Refund your lines</h2>
        <label for="rf-amount">Amount (dollars, empty: all that is left)</label><input id="rf-amount" type="number" min="0.01" step="0.01">
        <label for="rf-reason">Reason</label><input id="rf-reason" required maxlength="500">
        <button type="submit">Refund</button></form>`;
    },
  },

  "seller-products": {
    async load(get, { url, user }) {
      const [list, cats] = await Promise.all([
        get(passOn(url, `/products?seller_id=${encodeURIComponent(user.user_id)}&limit=20`, ["cursor"])),
        get("/categories"),
      ]);
      if (!list.ok) return { error: errorOf(list) };
      const flat = categoryPaths(cats.ok ? cats.data.data : []);
      // Each listed product's own category schema, for its edit form; the first category's for the new one.
      const wanted = [...new Set([flat[0]?.[0], ...list.data.data.map((p) => p.category_id)].filter(Boolean))];
      const schemas = Object.fromEntries(
        await Promise.all(wanted.map(async (id) => [id, await attributesOf(get, id)])),
      );
      return { page: list.data, flat, schemas };
    },
    view({ page, flat, schemas }, { url }) {
      const stock = (p, v) => {
        const key = `${p.product_id}-${v.variant_id}`;
        const label = Object.keys(v.options).length ? opts(v.options) : "stock";
        return `<span class="${v.stock_available <= 5 ? "warn" : ""}">${esc(label)}: ${v.stock_available}</span>
        <label for="r-${key}" class="sr">Units to add to ${esc(p.name)} ${esc(label)}</label><input id="r-${key}" type="number" value="10" class="small">
        <button type="button" data-restock="${esc(p.product_id)}" data-variant="${esc(v.variant_id)}">Add</button>`;
      };
      const edit = (p) => {
        const pid = esc(p.product_id);
        const schema = schemas[p.category_id] ?? [];
        return `<details class="edit"><summary>Edit</summary><form data-edit="${pid}" data-listing="${esc(p.listing ?? "fixed")}">
          <label for="en-${pid}">Name</label><input id="en-${pid}" required maxlength="200" value="${esc(p.name)}">
          <label for="ep-${pid}">Price (dollars)</label><input id="ep-${pid}" type="number" step="0.01" min="0.01" required value="${(p.price / 100).toFixed(2)}">
          <label for="ed-${pid}">Description</label><textarea id="ed-${pid}" required>${esc(p.description)}</textarea>
          ${schema.length ? `<fieldset><legend>Attributes</legend>${attributeFields(schema, p.attributes ?? {}, `ea-${pid}`)}</fieldset>` : ""}
          <button type="submit">Save</button></form></details>
        <button type="button" data-archive="${pid}">Archive</button>`;
      };
      return `${table(
        "Your products",
        ["Product", "Price", "Stock per variant", ""],
        page.data.map((p) => [
          `<a href="/store/product/${esc(p.product_id)}">${esc(p.name)}</a>`,
          money(p.price),
          (p.variants ?? []).map((v) => `<div class="stock-row">${stock(p, v)}</div>`).join(""),
          edit(p),
        ]),
        "No products yet: create one below.",
      )}${pager(url, page.next_cursor)}
      <form id="new-product"><h2>New product</h2>
        <label for="np-name">Name</label><input id="np-name" required maxlength="200">
        <label for="np-desc">Description</label><textarea id="np-desc" required></textarea>
        <label for="np-price">Price (dollars)</label><input id="np-price" type="number" step="0.01" min="0.01" required>
        <label for="np-stock">Stock</label><input id="np-stock" type="number" min="0" value="10" required>
        <label for="np-cat">Category</label><select id="np-cat">${flat.map(([id, name]) => `<option value="${esc(id)}">${esc(name)}</option>`).join("")}</select>
        <fieldset id="np-attrs"><legend>Attributes of the category</legend>${attributeFields(schemas[flat[0]?.[0]] ?? [])}</fieldset>
        <button type="submit">Create</button></form>`;
    },
  },

  "seller-returns": {
    async load(get, { url }) {
      const r = await get(passOn(url, "/returns?limit=20", ["status", "cursor"]));
      return r.ok ? { page: r.data } : { error: errorOf(r) };
    },
    view({ page }, { url }) {
      const actions = (t) => {
        const id = esc(t.return_id);
        if (t.status === "requested")
          return `<button type="button" data-approve="${id}">Approve</button>
          <label for="rj-${id}" class="sr">Why reject</label><input id="rj-${id}" placeholder="Reason to reject" maxlength="500">
          <button type="button" data-reject="${id}">Reject</button>`;
        if (t.status === "approved" || t.status === "in_transit")
          return `<label for="c-${id}" class="sr">Condition</label><select id="c-${id}"><option value="sellable">Sellable (restock)</option><option value="damaged">Damaged</option></select>
          <button type="button" data-receive="${id}">Mark received</button>`;
        return "";
      };
      return `${statusFilter(url, "f-status", RETURN_STATUSES)}
      ${table(
        "Returns",
        ["Return", "Order", "Opened", "Status", "Items", "Reason", "Refund", ""],
        page.data.map((t) => [
          esc(t.return_id),
          `<a href="/dashboard/orders/${esc(t.order_id)}">${esc(t.order_id)}</a>`,
          when(t.created_at),
          `<span data-return-status="${esc(t.return_id)}">${badge(t.status)}</span>`,
          t.items.map((i) => `${i.quantity} × ${esc(i.order_item_id)}`).join("<br>"),
          esc(t.reason),
          t.amount ? money(t.amount) : "",
          actions(t),
        ]),
        "No returns match.",
      )}${pager(url, page.next_cursor)}`;
    },
  },

  "seller-payouts": {
    async load(get, { url }) {
      const [bal, payouts, ledger] = await Promise.all([
        get("/seller/balance"),
        get("/seller/payouts?limit=10"),
        get(passOn(url, "/seller/ledger?limit=20", ["cursor"])),
      ]);
      if (!bal.ok) return { error: errorOf(bal) };
      return {
        b: bal.data,
        payouts: payouts.ok ? payouts.data.data : [],
        ledger: ledger.ok ? ledger.data : { data: [], next_cursor: null },
        today: new Date().toISOString(),
      };
    },
    view({ b, payouts, ledger, today }, { url }) {
      const months = [0, 1, 2].map((k) => {
        const d = new Date(today);
        d.setUTCDate(1);
        d.setUTCMonth(d.getUTCMonth() - k);
        return d.toISOString().slice(0, 7);
      });
      return `<ul class="kpis" aria-label="Balance">
        <li><span>Available</span><strong id="balance">${money(b.available)}</strong></li>
        <li><span>Pending</span><strong>${money(b.pending)}</strong></li>
        <li><span>Paid out</span><strong>${money(b.paid_out)}</strong></li></ul>
      <p>Statements (CSV): ${months.map((m) => csv(`/seller/statements/${m}`, `statement-${m}.csv`, m)).join(" · ")}</p>
      <section aria-labelledby="h-payouts"><h2 id="h-payouts">Payouts</h2>${table(
        "Payouts",
        ["Payout", "Date", "Amount", "Status"],
        payouts.map((p) => [esc(p.payout_id), when(p.created_at), money(p.amount), badge(p.status)]),
        "No payouts yet.",
      )}</section>
      <section aria-labelledby="h-ledger"><h2 id="h-ledger">Ledger</h2>${table(
        "Ledger entries",
        ["Date", "Kind", "Amount", "Order", "Available from"],
        ledger.data.map((e) => [
          when(e.created_at),
          esc(e.kind),
          `<span class="${e.amount < 0 ? "neg" : ""}">${money(e.amount)}</span>`,
          e.order_id ? `<a href="/dashboard/orders/${esc(e.order_id)}">${esc(e.order_id)}</a>` : "",
          when(e.available_at),
        ]),
        "No entries yet.",
      )}${pager(url, ledger.next_cursor)}</section>`;
    },
  },

  "seller-promotions": {
    async load(get) {
      const [coupons, lots] = await Promise.all([get("/coupons?limit=50"), get("/seller/auctions?limit=50")]);
      return { coupons: coupons.ok ? coupons.data.data : [], lots: lots.ok ? lots.data.data : [] };
    },
    view({ coupons, lots }) {
      return `<section aria-labelledby="h-coupons"><h2 id="h-coupons">Coupons</h2>${table(
        "Coupons",
        ["Code", "Off", "Used", "Active"],
        coupons.map((c) => [
          esc(c.code),
          c.kind === "percent" ? `${c.value}%` : money(c.value),
          `${c.times_redeemed}${c.usage_limit ? ` of ${c.usage_limit}` : ""}`,
          c.active ? "yes" : "no",
        ]),
        "No coupons yet.",
      )}
      <form id="new-coupon" class="inline"><label for="nc-code">Code</label><input id="nc-code" required pattern="[A-Za-z0-9_-]{3,32}">
        <label for="nc-pct">Percent off</label><input id="nc-pct" type="number" min="1" max="100" value="10">
        <button type="submit">Create coupon</button></form></section>
      <section aria-labelledby="h-auctions"><h2 id="h-auctions">Auctions</h2>${table(
        "Your auctions",
        ["Item", "Status", "Bids", "Price", "Ends", ""],
        lots.map((l) => [
          `<a href="/store/product/${esc(l.product_id)}">${esc(l.name)}</a>`,
          esc(l.status === "ended" ? l.outcome.replace("_", " ") : "live"),
          l.bid_count,
          money(l.current_price),
          when(l.ends_at),
          `${l.order_id ? `order ${esc(l.order_id)}` : ""}${l.outcome === "sold" ? ` <button type="button" data-second-chance="${esc(l.product_id)}">Offer to the runner-up</button>` : ""}`,
        ]),
        "No auctions yet. List one with an auction on POST /products.",
      )}</section>`;
    },
  },

  "seller-webhooks": {
    async load(get) {
      const hooks = await get("/webhooks");
      if (!hooks.ok) return { error: errorOf(hooks) };
      const logs = await Promise.all(
        hooks.data.data.map((h) => get(`/webhooks/${encodeURIComponent(h.webhook_id)}/deliveries?limit=10`)),
      );
      return { hooks: hooks.data.data, logs: logs.map((l) => (l.ok ? l.data.data : [])) };
    },
    view({ hooks, logs }) {
      return `<form id="new-hook" class="inline"><label for="wh-url">Endpoint (https)</label><input id="wh-url" type="url" required placeholder="https://example.com/hooks">
        <button type="submit">Add endpoint</button></form>
      ${
        hooks
          .map(
            (
              h,
              i,
            ) => `<section aria-labelledby="h-${esc(h.webhook_id)}"><h2 id="h-${esc(h.webhook_id)}">${esc(h.url)}</h2>
          <p>${h.active ? "Active" : "Disabled"} since ${when(h.created_at)} · <button type="button" data-unhook="${esc(h.webhook_id)}">Remove</button></p>
          ${table(
            "Deliveries",
            ["Event", "Type", "Result", "Attempts", "Last try"],
            logs[i].map((d) => [esc(d.event_id), esc(d.event_type), badge(d.result), d.attempts, when(d.updated_at)]),
            "No deliveries yet.",
          )}</section>`,
          )
          .join("") || '<p class="empty">No endpoints yet: add one to hear of orders as they happen.</p>'
      }`;
    },
  },
};
