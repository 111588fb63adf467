// The seller dashboard, one page per job (the server renders each page's shell and its section
// navigation; this module fills it from the JSON API with the seller's token). Filters and cursors
// live in the URL, so every page can be linked, reloaded and paged.
import {
  $,
  api,
  app,
  auth,
  badge,
  csv,
  errorOf,
  esc,
  money,
  needLogin,
  on,
  pager,
  query,
  statusFilter,
  table,
  toast,
  when,
} from "./core.js";

// Each page re-renders itself after a change (this module's own page table).
const reload = () => pages[document.body.getAttribute("data-page")]();

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const opts = (o) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
    .join(", ");

export const pages = {
  async "seller-overview"() {
    if (needLogin()) return;
    const [an, series, conv, bal, settings] = await Promise.all([
      api("GET", "/analytics/seller"),
      api("GET", "/analytics/seller/timeseries"),
      api("GET", "/analytics/seller/conversion"),
      api("GET", "/seller/balance"),
      api("GET", "/seller/settings"),
    ]);
    if (!an.ok) return (app().textContent = errorOf(an));
    // The chart is SVG drawn by the server (same origin, escaped there); the table below is its fallback.
    const chart = await fetch("/analytics/seller/timeseries?format=svg", {
      headers: { authorization: `Bearer ${auth().access_token}` },
    });
    const a = an.data;
    const views = conv.ok ? conv.data.data.reduce((s, r) => s + r.views, 0) : 0;
    const bought = conv.ok ? conv.data.data.reduce((s, r) => s + r.purchases, 0) : 0;
    const b = bal.ok ? bal.data : { pending: 0, available: 0, paid_out: 0 };
    const s = settings.ok ? settings.data : null;
    const days = series.ok ? series.data.data : [];
    app().innerHTML = `
      <ul class="kpis" aria-label="Last 30 days">
        <li><span>Revenue</span><strong id="revenue">${money(a.revenue)}</strong></li>
        <li><span>Orders</span><strong>${a.orders}</strong></li>
        <li><span>Units sold</span><strong>${a.units_sold}</strong></li>
        <li><span>Conversion</span><strong>${views ? pct(Math.min(1, bought / views)) : "–"}</strong><small>${bought} purchases, ${views} product views</small></li>
        <li><span>Refunds</span><strong>${money(a.refunds)}</strong></li>
      </ul>
      <section aria-labelledby="h-chart"><h2 id="h-chart">Revenue per day (30 days)</h2>
        <figure class="chart-box">${chart.ok ? await chart.text() : "<p>The chart is unavailable.</p>"}
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

  async "seller-orders"() {
    if (needLogin()) return;
    const q = query();
    const path = `/seller/orders?limit=20${q.get("status") ? `&status=${encodeURIComponent(q.get("status"))}` : ""}${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`;
    const r = await api("GET", path);
    if (!r.ok) return (app().textContent = errorOf(r));
    const mine = (o) => o.items.reduce((s, i) => s + i.price * i.quantity - i.discount, 0);
    app().innerHTML = `${statusFilter("f-status", ["pending_payment", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"])}
      ${table(
        "Your orders",
        ["Order", "Placed", "Status", "Items", "Your lines"],
        r.data.data.map((o) => [
          `<a href="/dashboard/orders/${esc(o.order_id)}">${esc(o.order_id)}</a>`,
          when(o.created_at),
          `<span data-status="${esc(o.order_id)}">${badge(o.status)}</span>`,
          o.items.map((i) => `${esc(i.name)} × ${i.quantity}`).join("<br>"),
          money(mine(o)),
        ]),
        "No orders match.",
      )}${pager(r.data.next_cursor)}`;
  },

  async "seller-order"() {
    if (needLogin()) return;
    const id = location.pathname.split("/").pop();
    const r = await api("GET", `/orders/${encodeURIComponent(id)}`);
    if (!r.ok) return (app().innerHTML = `<p>${esc(errorOf(r))}</p><p><a href="/dashboard/orders">All orders</a></p>`);
    const o = r.data;
    const me = auth().user.user_id;
    const lines = o.items.filter((i) => i.seller_id === me || auth().user.role === "admin");
    const canShip = lines.some((i) => i.status === "paid");
    const canDeliver = lines.some((i) => i.status === "shipped");
    const a = o.shipping_address;
    app().innerHTML = `<p><a href="/dashboard/orders">← All orders</a></p>
      <p>Placed ${when(o.created_at)} · <span data-status="${esc(o.order_id)}">${esc(o.status)}</span>${o.payment ? ` · payment ${esc(o.payment.status)}` : ""}</p>
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
          ? `<form id="ship" class="inline"><label for="t-${esc(o.order_id)}">Tracking number</label><input id="t-${esc(o.order_id)}" required maxlength="100">
          <button type="submit" data-ship="${esc(o.order_id)}">Mark shipped</button></form>`
          : ""
      }
      ${canDeliver ? `<p><button type="button" data-deliver="${esc(o.order_id)}">Mark delivered</button></p>` : ""}
      <form id="refund" class="inline"><h2>Refund your lines</h2>
        <label for="rf-amount">Amount (dollars, empty: all that is left)</label><input id="rf-amount" type="number" min="0.01" step="0.01">
        <label for="rf-reason">Reason</label><input id="rf-reason" required maxlength="500">
        <button type="submit">Refund</button></form>`;
    $("#ship")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await api("POST", `/orders/${o.order_id}/status`, {
        status: "shipped",
        tracking_number: $(`#t-${o.order_id}`).value,
      });
      toast(res.ok ? "Marked shipped" : errorOf(res));
      reload();
    });
    on("[data-deliver]", async () => {
      const res = await api("POST", `/orders/${o.order_id}/status`, { status: "delivered" });
      toast(res.ok ? "Marked delivered" : errorOf(res));
      reload();
    });
    $("#refund").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { order_id: o.order_id, reason: $("#rf-reason").value };
      if ($("#rf-amount").value) body.amount = Math.round(Number($("#rf-amount").value) * 100);
      const res = await api("POST", "/payments/refunds", body, { "Idempotency-Key": crypto.randomUUID() });
      toast(res.ok ? `Refunded ${money(res.data.amount)}` : errorOf(res));
      if (res.ok) reload();
    });
  },

  async "seller-products"() {
    if (needLogin()) return;
    const me = auth().user;
    const q = query();
    const [list, cats] = await Promise.all([
      api(
        "GET",
        `/products?seller_id=${me.user_id}&limit=20${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`,
      ),
      api("GET", "/categories"),
    ]);
    if (!list.ok) return (app().textContent = errorOf(list));
    const flat = [];
    const walk = (n, prefix) => {
      flat.push([n.category_id, prefix + n.name]);
      for (const c of n.children) walk(c, `${prefix + n.name} › `);
    };
    for (const c of cats.data.data) walk(c, "");
    const stock = (p, v) => {
      const key = `${p.product_id}-${v.variant_id}`;
      const label = Object.keys(v.options).length ? opts(v.options) : "stock";
      return `<span class="${v.stock_available <= 5 ? "warn" : ""}">${esc(label)}: ${v.stock_available}</span>
        <label for="r-${key}" class="sr">Units to add to ${esc(p.name)} ${esc(label)}</label><input id="r-${key}" type="number" value="10" class="small">
        <button type="button" data-restock="${esc(p.product_id)}" data-variant="${esc(v.variant_id)}">Add</button>`;
    };
    app().innerHTML = `${table(
      "Your products",
      ["Product", "Price", "Stock per variant", ""],
      list.data.data.map((p) => [
        `<a href="/store/product/${esc(p.product_id)}">${esc(p.name)}</a>`,
        money(p.price),
        (p.variants ?? []).map((v) => `<div class="stock-row">${stock(p, v)}</div>`).join(""),
        `<details class="edit"><summary>Edit</summary><form data-edit="${esc(p.product_id)}" data-listing="${esc(p.listing ?? "fixed")}">
          <label for="en-${esc(p.product_id)}">Name</label><input id="en-${esc(p.product_id)}" required maxlength="200" value="${esc(p.name)}">
          <label for="ep-${esc(p.product_id)}">Price (dollars)</label><input id="ep-${esc(p.product_id)}" type="number" step="0.01" min="0.01" required value="${(p.price / 100).toFixed(2)}">
          <label for="ed-${esc(p.product_id)}">Description</label><textarea id="ed-${esc(p.product_id)}" required>${esc(p.description)}</textarea>
          <button type="submit">Save</button></form></details>
        <button type="button" data-archive="${esc(p.product_id)}">Archive</button>`,
      ]),
      "No products yet: create one below.",
    )}${pager(list.data.next_cursor)}
      <form id="new-product"><h2>New product</h2>
        <label for="np-name">Name</label><input id="np-name" required maxlength="200">
        <label for="np-desc">Description</label><textarea id="np-desc" required></textarea>
        <label for="np-price">Price (dollars)</label><input id="np-price" type="number" step="0.01" min="0.01" required>
        <label for="np-stock">Stock</label><input id="np-stock" type="number" min="0" value="10" required>
        <label for="np-cat">Category</label><select id="np-cat">${flat.map(([id, name]) => `<option value="${id}">${esc(name)}</option>`).join("")}</select>
        <fieldset id="np-attrs"><legend>Attributes of the category</legend></fieldset>
        <button type="submit">Create</button></form>`;
    // The form follows the chosen category's attribute schema (its own and inherited).
    let schema = [];
    const showAttributes = async () => {
      const r = await api("GET", `/categories/${$("#np-cat").value}/attributes`);
      schema = r.ok ? r.data.data.filter((a) => !a.variant_option) : [];
      $("#np-attrs").innerHTML = `<legend>Attributes of the category</legend>${
        schema
          .map((a) => {
            const id = `at-${a.attribute_id}`;
            const label = `<label for="${id}">${esc(a.name)}${a.unit ? ` (${esc(a.unit)})` : ""}${a.required ? " *" : ""}</label>`;
            if (a.type === "enum")
              return `${label}<select id="${id}"${a.required ? " required" : ""}><option value=""></option>${a.values.map((v) => `<option>${esc(v)}</option>`).join("")}</select>`;
            if (a.type === "boolean")
              return `<label class="check"><input type="checkbox" id="${id}"> ${esc(a.name)}</label>`;
            return `${label}<input id="${id}" type="${a.type === "number" ? "number" : "text"}"${a.required ? " required" : ""}>`;
          })
          .join("") || "<p>This category has no attributes.</p>"
      }`;
    };
    $("#np-cat").addEventListener("change", showAttributes);
    if (flat.length) await showAttributes();
    on("[data-restock]", async (b) => {
      const pid = b.getAttribute("data-restock");
      const vid = b.getAttribute("data-variant");
      const r = await api("POST", `/inventory/${pid}`, {
        quantity: Number($(`#r-${pid}-${vid}`).value),
        variant_id: vid,
      });
      toast(r.ok ? `Stock now ${r.data.stock_available}` : errorOf(r));
      if (r.ok) reload();
    });
    for (const form of app().querySelectorAll("form[data-edit]"))
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const pid = form.getAttribute("data-edit");
        const r = await api("PATCH", `/products/${pid}`, {
          name: $(`#en-${pid}`).value,
          price: Math.round(Number($(`#ep-${pid}`).value) * 100),
          description: $(`#ed-${pid}`).value,
        });
        toast(r.ok ? "Saved" : errorOf(r));
        if (r.ok) reload();
      });
    on("[data-archive]", async (b) => {
      const r = await api("DELETE", `/products/${b.getAttribute("data-archive")}`);
      toast(r.ok ? "Archived" : errorOf(r));
      if (r.ok) reload();
    });
    $("#new-product").addEventListener("submit", async (e) => {
      e.preventDefault();
      const attributes = {};
      for (const a of schema) {
        const el = $(`#at-${a.attribute_id}`);
        if (a.type === "boolean") attributes[a.name] = el.checked;
        else if (el.value !== "") attributes[a.name] = a.type === "number" ? Number(el.value) : el.value;
      }
      const r = await api("POST", "/products", {
        name: $("#np-name").value,
        description: $("#np-desc").value,
        price: Math.round(Number($("#np-price").value) * 100),
        stock_available: Number($("#np-stock").value),
        category_id: $("#np-cat").value,
        ...(Object.keys(attributes).length ? { attributes } : {}),
      });
      toast(r.ok ? "Product created" : errorOf(r));
      if (r.ok) reload();
    });
  },

  async "seller-returns"() {
    if (needLogin()) return;
    const q = query();
    const r = await api(
      "GET",
      `/returns?limit=20${q.get("status") ? `&status=${encodeURIComponent(q.get("status"))}` : ""}${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`,
    );
    if (!r.ok) return (app().textContent = errorOf(r));
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
    app().innerHTML = `${statusFilter("f-status", ["requested", "approved", "rejected", "in_transit", "received", "refunded"])}
      ${table(
        "Returns",
        ["Return", "Order", "Opened", "Status", "Items", "Reason", "Refund", ""],
        r.data.data.map((t) => [
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
      )}${pager(r.data.next_cursor)}`;
    const byId = new Map(r.data.data.map((t) => [t.return_id, t]));
    on("[data-approve]", async (b) => {
      const res = await api("POST", `/returns/${b.getAttribute("data-approve")}/approve`, {});
      toast(res.ok ? "Approved: the buyer gets a label" : errorOf(res));
      if (res.ok) reload();
    });
    on("[data-reject]", async (b) => {
      const id = b.getAttribute("data-reject");
      const note = $(`#rj-${id}`).value.trim();
      if (!note) return toast("Say why you reject the return");
      const res = await api("POST", `/returns/${id}/reject`, { note });
      toast(res.ok ? "Rejected" : errorOf(res));
      if (res.ok) reload();
    });
    on("[data-receive]", async (b) => {
      const id = b.getAttribute("data-receive");
      const condition = $(`#c-${id}`).value;
      const items = byId
        .get(id)
        .items.map((i) => ({ order_item_id: i.order_item_id, quantity: i.quantity, condition }));
      const res = await api("POST", `/returns/${id}/receive`, { items }, { "Idempotency-Key": crypto.randomUUID() });
      toast(res.ok ? `Received; refunded ${money(res.data.amount ?? 0)}` : errorOf(res));
      if (res.ok) reload();
    });
  },

  async "seller-payouts"() {
    if (needLogin()) return;
    const q = query();
    const [bal, payouts, ledger] = await Promise.all([
      api("GET", "/seller/balance"),
      api("GET", "/seller/payouts?limit=10"),
      api("GET", `/seller/ledger?limit=20${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`),
    ]);
    if (!bal.ok) return (app().textContent = errorOf(bal));
    const b = bal.data;
    const months = [0, 1, 2].map((k) => {
      const d = new Date();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() - k);
      return d.toISOString().slice(0, 7);
    });
    app().innerHTML = `<ul class="kpis" aria-label="Balance">
        <li><span>Available</span><strong id="balance">${money(b.available)}</strong></li>
        <li><span>Pending</span><strong>${money(b.pending)}</strong></li>
        <li><span>Paid out</span><strong>${money(b.paid_out)}</strong></li></ul>
      <p>Statements (CSV): ${months.map((m) => csv(`/seller/statements/${m}`, `statement-${m}.csv`, m)).join(" · ")}</p>
      <section aria-labelledby="h-payouts"><h2 id="h-payouts">Payouts</h2>${table(
        "Payouts",
        ["Payout", "Date", "Amount", "Status"],
        (payouts.ok ? payouts.data.data : []).map((p) => [
          esc(p.payout_id),
          when(p.created_at),
          money(p.amount),
          badge(p.status),
        ]),
        "No payouts yet.",
      )}</section>
      <section aria-labelledby="h-ledger"><h2 id="h-ledger">Ledger</h2>${table(
        "Ledger entries",
        ["Date", "Kind", "Amount", "Order", "Available from"],
        (ledger.ok ? ledger.data.data : []).map((e) => [
          when(e.created_at),
          esc(e.kind),
          `<span class="${e.amount < 0 ? "neg" : ""}">${money(e.amount)}</span>`,
          e.order_id ? `<a href="/dashboard/orders/${esc(e.order_id)}">${esc(e.order_id)}</a>` : "",
          when(e.available_at),
        ]),
        "No entries yet.",
      )}${pager(ledger.ok ? ledger.data.next_cursor : null)}</section>`;
  },

  async "seller-promotions"() {
    if (needLogin()) return;
    const [coupons, lots] = await Promise.all([
      api("GET", "/coupons?limit=50"),
      api("GET", "/seller/auctions?limit=50"),
    ]);
    app().innerHTML = `<section aria-labelledby="h-coupons"><h2 id="h-coupons">Coupons</h2>${table(
      "Coupons",
      ["Code", "Off", "Used", "Active"],
      (coupons.ok ? coupons.data.data : []).map((c) => [
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
        (lots.ok ? lots.data.data : []).map((l) => [
          `<a href="/store/product/${esc(l.product_id)}">${esc(l.name)}</a>`,
          esc(l.status === "ended" ? l.outcome.replace("_", " ") : "live"),
          l.bid_count,
          money(l.current_price),
          when(l.ends_at),
          `${l.order_id ? `order ${esc(l.order_id)}` : ""}${l.outcome === "sold" ? ` <button type="button" data-second-chance="${esc(l.product_id)}">Offer to the runner-up</button>` : ""}`,
        ]),
        "No auctions yet. List one with an auction on POST /products.",
      )}</section>`;
    on("[data-second-chance]", async (b) => {
      const r = await api("POST", `/auctions/${b.getAttribute("data-second-chance")}/second-chance`);
      toast(r.ok ? `Offered to the runner-up at ${money(r.data.total_amount)}` : errorOf(r));
      if (r.ok) reload();
    });
    $("#new-coupon").addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await api("POST", "/coupons", {
        code: $("#nc-code").value,
        kind: "percent",
        value: Number($("#nc-pct").value),
      });
      toast(r.ok ? "Coupon created" : errorOf(r));
      if (r.ok) reload();
    });
  },

  async "seller-webhooks"() {
    if (needLogin()) return;
    const hooks = await api("GET", "/webhooks");
    if (!hooks.ok) return (app().textContent = errorOf(hooks));
    const logs = await Promise.all(
      hooks.data.data.map((h) => api("GET", `/webhooks/${h.webhook_id}/deliveries?limit=10`)),
    );
    app().innerHTML = `<form id="new-hook" class="inline"><label for="wh-url">Endpoint (https)</label><input id="wh-url" type="url" required placeholder="https://example.com/hooks">
        <button type="submit">Add endpoint</button></form>
      ${
        hooks.data.data
          .map(
            (
              h,
              i,
            ) => `<section aria-labelledby="h-${esc(h.webhook_id)}"><h2 id="h-${esc(h.webhook_id)}">${esc(h.url)}</h2>
          <p>${h.active ? "Active" : "Disabled"} since ${when(h.created_at)} · <button type="button" data-unhook="${esc(h.webhook_id)}">Remove</button></p>
          ${table(
            "Deliveries",
            ["Event", "Type", "Result", "Attempts", "Last try"],
            (logs[i].ok ? logs[i].data.data : []).map((d) => [
              esc(d.event_id),
              esc(d.event_type),
              badge(d.result),
              d.attempts,
              when(d.updated_at),
            ]),
            "No deliveries yet.",
          )}</section>`,
          )
          .join("") || '<p class="empty">No endpoints yet: add one to hear of orders as they happen.</p>'
      }`;
    $("#new-hook").addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await api("POST", "/webhooks", { url: $("#wh-url").value });
      toast(r.ok ? `Added; its signing secret: ${r.data.secret}` : errorOf(r));
      if (r.ok) reload();
    });
    on("[data-unhook]", async (b) => {
      const r = await api("DELETE", `/webhooks/${b.getAttribute("data-unhook")}`);
      toast(r.ok ? "Removed" : errorOf(r));
      if (r.ok) reload();
    });
  },
};
