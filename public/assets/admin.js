// The admin pages, one per job: platform figures, the review moderation queue, users and roles,
// the category tree with its attribute schemas, commission rules and dead letters. Like the seller
// dashboard, the server renders each shell and its navigation; this module fills it.
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
  table,
  toast,
  when,
  withQuery,
} from "./core.js";

// Each page re-renders itself after a change (this module's own page table).
const reload = () => pages[document.body.getAttribute("data-page")]();

/** The category tree flattened depth-first: [id, "Parent › Child", depth, node]. */
const flatten = (roots) => {
  const out = [];
  const walk = (n, prefix, depth) => {
    out.push([n.category_id, prefix + n.name, depth, n]);
    for (const c of n.children) walk(c, `${prefix + n.name} › `, depth + 1);
  };
  for (const r of roots) walk(r, "", 0);
  return out;
};

export const pages = {
  async "admin-overview"() {
    if (needLogin()) return;
    const [platform, taxes] = await Promise.all([api("GET", "/analytics/platform"), api("GET", "/analytics/tax")]);
    if (!platform.ok) return (app().textContent = errorOf(platform));
    const chart = await fetch("/analytics/platform/timeseries?format=svg", {
      headers: { authorization: `Bearer ${auth().access_token}` },
    });
    const p = platform.data;
    const tax = taxes.ok ? taxes.data : { data: [] };
    app().innerHTML = `<ul class="kpis" aria-label="Last 30 days">
        <li><span>GMV</span><strong>${money(p.gmv)}</strong></li><li><span>Orders</span><strong>${p.orders}</strong></li>
        <li><span>Active buyers</span><strong>${p.active_buyers}</strong></li><li><span>Sign-ups</span><strong>${p.registrations}</strong></li>
        <li><span>Searches</span><strong>${p.searches}</strong></li></ul>
      <section aria-labelledby="h-gmv"><h2 id="h-gmv">GMV per day (30 days)</h2>
        <figure class="chart-box">${chart.ok ? await chart.text() : "<p>The chart is unavailable.</p>"}</figure></section>
      <section aria-labelledby="h-sellers"><h2 id="h-sellers">Top sellers</h2>${table(
        "Top sellers",
        ["Seller", "Orders", "Revenue"],
        (p.top_sellers ?? []).map((s) => [esc(s.seller_id), s.orders, money(s.revenue)]),
        "No sales in this period.",
      )}</section>
      <section aria-labelledby="h-tax"><h2 id="h-tax">Tax by jurisdiction (30 days, usd)</h2>${table(
        "Tax by jurisdiction",
        ["Jurisdiction", "Orders", "Sales tax collected", "Refunded", "Net to remit", "VAT/GST in prices (net)"],
        tax.data.map((j) => [
          esc(j.jurisdiction || "unknown"),
          j.orders,
          money(j.collected),
          money(j.refunded),
          `<strong>${money(j.net)}</strong>`,
          money(j.included_net),
        ]),
        "No tax collected in this period.",
      )}<p>${csv("/analytics/tax?format=csv", "tax-by-jurisdiction.csv", "Download CSV")}</p></section>`;
  },

  async "admin-reviews"() {
    if (needLogin()) return;
    const q = query();
    const queue = q.get("queue") === "all" ? "all" : "open";
    const sort = q.get("sort") === "newest" ? "newest" : "reported";
    const r = await api(
      "GET",
      `/admin/reviews?limit=20&queue=${queue}&sort=${sort}${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`,
    );
    if (!r.ok) return (app().textContent = errorOf(r));
    const tab = (label, changes, current) =>
      `<a href="${withQuery({ ...changes, cursor: null })}"${current ? ' aria-current="page"' : ""}>${label}</a>`;
    const reasons = (m) =>
      Object.entries(m)
        .map(([k, n]) => `${esc(k.replace("_", " "))}${n > 1 ? ` × ${n}` : ""}`)
        .join(", ");
    app().innerHTML = `<nav class="tabs" aria-label="Queue">${tab("Open", { queue: "open" }, queue === "open")}${tab("All", { queue: "all" }, queue === "all")}
        <span aria-hidden="true">·</span>${tab("Most reported", { sort: "reported" }, sort === "reported")}${tab("Newest", { sort: "newest" }, sort === "newest")}</nav>
      <ul class="queue">${
        r.data.data
          .map(
            (
              v,
            ) => `<li data-review="${esc(v.review_id)}"><div class="q-head"><strong><span class="sr">${v.rating} of 5 stars</span><span aria-hidden="true">${"★".repeat(v.rating)}${"☆".repeat(5 - v.rating)}</span></strong>
            on <a href="/store/product/${esc(v.product_id)}">${esc(v.product_name ?? v.product_id)}</a> · ${when(v.created_at)} · ${badge(v.status)}
            ${v.report_count ? `<span class="warn">${v.report_count} report${v.report_count > 1 ? "s" : ""}: ${reasons(v.report_reasons)}</span>` : ""}</div>
            <p>${esc(v.comment)}</p>
            <div class="q-actions">${v.status === "visible" ? `<button type="button" data-hide="${esc(v.review_id)}">Hide</button>` : ""}
            <button type="button" data-keep="${esc(v.review_id)}">${v.status === "visible" ? "Keep" : "Restore"}</button></div></li>`,
          )
          .join("") || '<li class="empty">The queue is empty.</li>'
      }</ul>${pager(r.data.next_cursor)}`;
    const decide = (status) => async (b) => {
      const id = b.getAttribute(status === "hidden" ? "data-hide" : "data-keep");
      const res = await api("POST", `/reviews/${id}/moderation`, { status });
      toast(res.ok ? (status === "hidden" ? "Hidden" : "Kept") : errorOf(res));
      if (res.ok) reload();
    };
    on("[data-hide]", decide("hidden"));
    on("[data-keep]", decide("visible"));
  },

  async "admin-users"() {
    if (needLogin()) return;
    const q = query();
    const params = new URLSearchParams({ limit: "20" });
    for (const k of ["q", "role", "cursor"]) if (q.get(k)) params.set(k, q.get(k));
    const [list, log] = await Promise.all([api("GET", `/users?${params}`), api("GET", "/admin/audit-log?limit=10")]);
    if (!list.ok) return (app().textContent = errorOf(list));
    const role = q.get("role") ?? "";
    app().innerHTML = `<form class="filters" method="get"><label for="u-q">Email or username starts with</label><input id="u-q" name="q" value="${esc(q.get("q") ?? "")}">
        <label for="u-role">Role</label><select id="u-role" name="role"><option value="">Any</option>${["buyer", "seller", "admin"].map((r) => `<option${r === role ? " selected" : ""}>${r}</option>`).join("")}</select>
        <button type="submit">Search</button></form>
      ${table(
        "Users",
        ["User", "Email", "Joined", "Role", "Account"],
        list.data.data.map((u) => [
          esc(u.username),
          esc(u.email),
          when(u.created_at),
          `<label for="role-${esc(u.user_id)}" class="sr">Role of ${esc(u.username)}</label><select id="role-${esc(u.user_id)}">${["buyer", "seller", "admin"].map((r) => `<option${r === u.role ? " selected" : ""}>${r}</option>`).join("")}</select>
          <button type="button" data-role-of="${esc(u.user_id)}">Change</button>`,
          u.suspended_at
            ? `${badge("suspended")} <button type="button" data-restore="${esc(u.user_id)}">Restore</button>`
            : `<label for="why-${esc(u.user_id)}" class="sr">Why suspend ${esc(u.username)}</label><input id="why-${esc(u.user_id)}" placeholder="Reason" maxlength="500" class="small">
              <button type="button" data-suspend="${esc(u.user_id)}">Suspend</button>`,
        ]),
        "No user matches.",
      )}${pager(list.data.next_cursor)}
      <section aria-labelledby="h-audit"><h2 id="h-audit">Audit trail</h2>${table(
        "Recent admin actions",
        ["When", "Who", "Action", "On", "Details"],
        (log.ok ? log.data.data : []).map((e) => [
          when(e.created_at),
          esc(e.actor_id),
          esc(e.action),
          `${esc(e.target_type)} ${esc(e.target_id)}`,
          `<code>${esc(JSON.stringify(e.details ?? {}).slice(0, 120))}</code>`,
        ]),
        "No admin actions yet.",
      )}</section>`;
    const suspension = (suspended) => async (b) => {
      const id = b.getAttribute(suspended ? "data-suspend" : "data-restore");
      const reason = suspended ? $(`#why-${id}`).value.trim() : "restored by an admin";
      if (!reason) return toast("Say why you suspend the account");
      const r = await api("POST", `/admin/users/${id}/suspension`, { suspended, reason });
      toast(r.ok ? (suspended ? "Suspended; their sessions were ended" : "Restored") : errorOf(r));
      if (r.ok) reload();
    };
    on("[data-suspend]", suspension(true));
    on("[data-restore]", suspension(false));
    on("[data-role-of]", async (b) => {
      const id = b.getAttribute("data-role-of");
      const r = await api("POST", `/admin/users/${id}/role`, { role: $(`#role-${id}`).value });
      toast(r.ok ? `Now ${r.data.role}; their sessions were ended` : errorOf(r));
      if (r.ok) reload();
    });
  },

  async "admin-categories"() {
    if (needLogin()) return;
    const cats = await api("GET", "/categories");
    if (!cats.ok) return (app().textContent = errorOf(cats));
    const flat = flatten(cats.data.data);
    const pick = query().get("category") ?? flat[0]?.[0];
    const attrs = pick ? await api("GET", `/categories/${pick}/attributes`) : null;
    const parentOptions = (self) =>
      `<option value="">(top level)</option>${flat
        .filter(([id, path]) => id !== self && !path.includes(`${flat.find((f) => f[0] === self)?.[1] ?? "\u0000"} ›`))
        .map(([id, path]) => `<option value="${id}">${esc(path)}</option>`)
        .join("")}`;
    const chosen = flat.find((f) => f[0] === pick);
    app().innerHTML = `<div class="panels">
      <section aria-labelledby="h-tree"><h2 id="h-tree">Category tree</h2>
        <ul class="tree">${flat
          .map(
            ([id, , depth, n]) =>
              `<li class="d${Math.min(depth, 4)}"><a href="${withQuery({ category: id })}"${id === pick ? ' aria-current="true"' : ""}>${esc(n.name)}</a></li>`,
          )
          .join("")}</ul>
        <form id="new-cat"><h3>New category</h3><label for="cat-name">Name</label><input id="cat-name" required maxlength="100">
          <label for="cat-parent">Parent</label><select id="cat-parent">${parentOptions(null)}</select>
          <button type="submit">Create</button></form></section>
      ${
        chosen
          ? `<section aria-labelledby="h-cat"><h2 id="h-cat">${esc(chosen[1])}</h2>
        <form id="edit-cat"><label for="ec-name">Name</label><input id="ec-name" required maxlength="100" value="${esc(chosen[3].name)}">
          <label for="ec-parent">Parent</label><select id="ec-parent">${parentOptions(pick)}</select>
          <button type="submit">Save</button> <button type="button" id="del-cat">Delete</button></form>
        <h3>Attributes (own and inherited)</h3>${table(
          "Attributes",
          ["Name", "Type", "Values", "Required", "Variant option", "Facet"],
          (attrs?.ok ? attrs.data.data : []).map((a) => [
            `${esc(a.name)}${a.category_id !== pick ? " <small>(inherited)</small>" : ""}`,
            esc(a.type + (a.unit ? ` (${a.unit})` : "")),
            esc((a.values ?? []).join(", ")),
            a.required ? "yes" : "",
            a.variant_option ? "yes" : "",
            a.facet ? "yes" : "",
          ]),
          "No attributes yet.",
        )}
        <form id="new-attr"><h3>New attribute</h3><label for="na-name">Name (lower case: size, screen_size)</label><input id="na-name" required maxlength="40" pattern="[a-z][a-z0-9_]*">
          <label for="na-type">Type</label><select id="na-type"><option>enum</option><option>number</option><option>text</option><option>boolean</option></select>
          <label for="na-values">Values (enum, comma separated)</label><input id="na-values">
          <label class="check"><input type="checkbox" id="na-req"> Required</label>
          <label class="check"><input type="checkbox" id="na-var"> A variant option (size, colour)</label>
          <label class="check"><input type="checkbox" id="na-facet"> A search facet</label>
          <button type="submit">Add attribute</button></form></section>`
          : ""
      }</div>`;
    if (chosen) $("#ec-parent").value = chosen[3].parent_id ?? "";
    $("#new-cat").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { name: $("#cat-name").value };
      if ($("#cat-parent").value) body.parent_id = $("#cat-parent").value;
      const r = await api("POST", "/categories", body);
      toast(r.ok ? `Created ${r.data.name}` : errorOf(r));
      if (r.ok) location.href = withQuery({ category: r.data.category_id });
    });
    $("#edit-cat")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await api("PATCH", `/categories/${pick}`, {
        name: $("#ec-name").value,
        parent_id: $("#ec-parent").value || null,
      });
      toast(r.ok ? "Saved" : errorOf(r));
      if (r.ok) reload();
    });
    $("#del-cat")?.addEventListener("click", async () => {
      const r = await api("DELETE", `/categories/${pick}`);
      toast(r.ok ? "Deleted" : errorOf(r));
      if (r.ok) location.href = withQuery({ category: null });
    });
    $("#new-attr")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const type = $("#na-type").value;
      const body = {
        name: $("#na-name").value,
        type,
        required: $("#na-req").checked,
        variant_option: $("#na-var").checked,
        facet: $("#na-facet").checked,
      };
      if (type === "enum")
        body.values = $("#na-values")
          .value.split(",")
          .map((v) => v.trim())
          .filter(Boolean);
      const r = await api("POST", `/categories/${pick}/attributes`, body);
      toast(r.ok ? "Attribute added" : errorOf(r));
      if (r.ok) reload();
    });
  },

  async "admin-commissions"() {
    if (needLogin()) return;
    const [rules, cats] = await Promise.all([api("GET", "/admin/commissions"), api("GET", "/categories")]);
    if (!rules.ok) return (app().textContent = errorOf(rules));
    const names = new Map(flatten(cats.ok ? cats.data.data : []).map(([id, path]) => [id, path]));
    const list = rules.data.data;
    app().innerHTML = `<p>A rule applies to its category and, unless they have their own, to its subcategories.</p>
      ${table(
        "Commission rules",
        ["Category", "Percent", "Fixed fee", "Min", "Max", ""],
        list.map((r, i) => [
          esc(names.get(r.category_id) ?? r.category_id),
          `${r.percent}%`,
          money(r.fixed ?? 0),
          r.min == null ? "" : money(r.min),
          r.max == null ? "" : money(r.max),
          `<button type="button" data-drop-rule="${i}">Remove</button>`,
        ]),
        "No rules: the default commission applies everywhere.",
      )}
      <form id="new-rule" class="inline"><label for="cr-cat">Category</label><select id="cr-cat">${[...names].map(([id, path]) => `<option value="${id}">${esc(path)}</option>`).join("")}</select>
        <label for="cr-pct">Percent</label><input id="cr-pct" type="number" min="0" max="100" step="0.01" required value="10">
        <label for="cr-fixed">Fixed fee (cents)</label><input id="cr-fixed" type="number" min="0" value="0">
        <button type="submit">Set rule</button></form>`;
    const save = async (next) => {
      const r = await api("PUT", "/admin/commissions", { rules: next });
      toast(r.ok ? "Saved" : errorOf(r));
      if (r.ok) reload();
    };
    const clean = (r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => v != null && k !== "category_name"));
    on("[data-drop-rule]", async (b) =>
      save(list.filter((_, i) => String(i) !== b.getAttribute("data-drop-rule")).map(clean)),
    );
    $("#new-rule").addEventListener("submit", async (e) => {
      e.preventDefault();
      const cat = $("#cr-cat").value;
      const rule = { category_id: cat, percent: Number($("#cr-pct").value), fixed: Number($("#cr-fixed").value) };
      await save([...list.filter((r) => r.category_id !== cat).map(clean), rule]);
    });
  },

  async "admin-coupons"() {
    if (needLogin()) return;
    const q = query();
    const r = await api(
      "GET",
      `/coupons?limit=20${q.get("cursor") ? `&cursor=${encodeURIComponent(q.get("cursor"))}` : ""}`,
    );
    if (!r.ok) return (app().textContent = errorOf(r));
    const off = (c) => (c.kind === "percent" ? `${c.value}%` : c.kind === "fixed" ? money(c.value) : "free shipping");
    app().innerHTML = `${table(
      "Coupons",
      ["Code", "Off", "Whose", "Minimum", "Used", "Ends", "Active"],
      r.data.data.map((c) => [
        esc(c.code),
        off(c),
        c.seller_id ? `seller ${esc(c.seller_id)}` : "the platform",
        c.min_subtotal ? money(c.min_subtotal) : "",
        `${c.times_redeemed}${c.usage_limit ? ` of ${c.usage_limit}` : ""}`,
        when(c.ends_at),
        c.active ? "yes" : "no",
      ]),
      "No coupons yet.",
    )}${pager(r.data.next_cursor)}
      <form id="new-coupon"><h2>New platform coupon</h2>
        <label for="ac-code">Code</label><input id="ac-code" required pattern="[A-Za-z0-9_-]{3,32}">
        <label for="ac-kind">Kind</label><select id="ac-kind"><option value="percent">Percent off</option><option value="fixed">Amount off (cents)</option><option value="free_shipping">Free shipping</option></select>
        <label for="ac-value">Value</label><input id="ac-value" type="number" min="0" value="10">
        <label for="ac-min">Minimum subtotal (cents)</label><input id="ac-min" type="number" min="0" value="0">
        <label for="ac-limit">Uses in all (empty: no limit)</label><input id="ac-limit" type="number" min="1">
        <button type="submit">Create coupon</button></form>`;
    $("#new-coupon").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {
        code: $("#ac-code").value,
        kind: $("#ac-kind").value,
        value: Number($("#ac-value").value),
        min_subtotal: Number($("#ac-min").value),
      };
      if ($("#ac-limit").value) body.usage_limit = Number($("#ac-limit").value);
      const res = await api("POST", "/coupons", body, { "Idempotency-Key": crypto.randomUUID() });
      toast(res.ok ? `Created ${res.data.code}` : errorOf(res));
      if (res.ok) reload();
    });
  },

  async "admin-dead-letters"() {
    if (needLogin()) return;
    const dead = await api("GET", "/admin/dead-letters?limit=100");
    if (!dead.ok) return (app().textContent = errorOf(dead));
    const waiting = dead.data.data.filter((d) => !d.replayed_at).length;
    app().innerHTML = `<p>${waiting} message${waiting === 1 ? "" : "s"} waiting. Consumers are idempotent, so a replay of one that meanwhile succeeded does no harm.
        ${waiting ? '<button type="button" id="replay-all">Replay all waiting</button>' : ""}</p>
      ${table(
        "Dead letters",
        ["Queue", "Message", "Died", "Attempts", "Body", ""],
        dead.data.data.map((d) => [
          esc(d.queue),
          esc(d.message_id),
          when(d.created_at),
          d.attempts,
          `<code>${esc(JSON.stringify(d.body).slice(0, 160))}</code>`,
          d.replayed_at
            ? `replayed ${when(d.replayed_at)}`
            : `<button type="button" data-replay="${esc(d.dead_letter_id)}">Replay</button>`,
        ]),
        "No dead letters: every message was handled.",
      )}`;
    on("[data-replay]", async (b) => {
      const r = await api("POST", `/admin/dead-letters/${b.getAttribute("data-replay")}/replay`);
      toast(r.ok ? "Sent back to its queue" : errorOf(r));
      if (r.ok) reload();
    });
    $("#replay-all")?.addEventListener("click", async () => {
      const r = await api("POST", "/admin/dead-letters/replay", {});
      toast(r.ok ? "Replayed" : errorOf(r));
      if (r.ok) reload();
    });
  },
};
