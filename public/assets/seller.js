// The seller dashboard's controls, one page per job. The pages' HTML comes from seller-views.js
// (rendered by the server first, and by dashboard.js after a change); this module binds what each
// page's buttons and forms do. Filters and cursors live in the URL, so every page can be linked.
import { $, api, app, on, toast } from "./core.js";
import { errorOf, money } from "./html.js";
import { runPage } from "./dashboard.js";
import { attributeFields, sellerViews } from "./seller-views.js";

/** The values of a form's attribute inputs (`data-attr`), typed by their schema. */
const attributeValues = (root) => {
  const out = {};
  for (const el of root.querySelectorAll("[data-attr]")) {
    const name = el.getAttribute("data-attr");
    const type = el.getAttribute("data-type");
    if (type === "boolean") out[name] = el.checked;
    else if (el.value !== "") out[name] = type === "number" ? Number(el.value) : el.value;
  }
  return out;
};

const wiring = {
  "seller-order"({ o }, _ctx, reload) {
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

  "seller-products"({ page, schemas }, _ctx, reload) {
    const byId = new Map(page.data.map((p) => [p.product_id, p]));
    // The new-product form follows the chosen category's attribute schema (its own and inherited).
    $("#np-cat")?.addEventListener("change", async () => {
      const id = $("#np-cat").value;
      if (!schemas[id]) {
        const r = await api("GET", `/categories/${encodeURIComponent(id)}/attributes`);
        schemas[id] = r.ok ? r.data.data.filter((a) => !a.variant_option) : [];
      }
      $("#np-attrs").innerHTML = `<legend>Attributes of the category</legend>${attributeFields(schemas[id])}`;
    });
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
        // The form shows the category's schema; attributes outside it are kept as they are.
        const attributes = { ...(byId.get(pid)?.attributes ?? {}), ...attributeValues(form) };
        const r = await api("PATCH", `/products/${pid}`, {
          name: $(`#en-${pid}`).value,
          price: Math.round(Number($(`#ep-${pid}`).value) * 100),
          description: $(`#ed-${pid}`).value,
          ...(Object.keys(attributes).length ? { attributes } : {}),
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
      const attributes = attributeValues($("#np-attrs"));
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

  "seller-returns"({ page }, _ctx, reload) {
    const byId = new Map(page.data.map((t) => [t.return_id, t]));
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

  "seller-promotions"(_data, _ctx, reload) {
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

  "seller-webhooks"(_data, _ctx, reload) {
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

export const pages = Object.fromEntries(
  Object.entries(sellerViews).map(([name, page]) => [name, () => runPage(page, wiring[name])]),
);
