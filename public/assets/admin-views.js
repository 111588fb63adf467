// The admin pages as data and HTML, one per job: platform figures, the review moderation queue,
// users and roles, the category tree with its attribute schemas, commission rules, coupons and dead
// letters. Like seller-views.js: `load(get, ctx)` reads the API, `view(data, ctx)` renders, on the
// server first and in the browser after a change; admin.js wires the controls.
import { badge, csv, errorOf, esc, money, pager, passOn, table, when, withQuery } from "./html.js";

/** The category tree flattened depth-first: [id, "Parent › Child", depth, node]. */
export const flatten = (roots) => {
  const out = [];
  const walk = (n, prefix, depth) => {
    out.push([n.category_id, prefix + n.name, depth, n]);
    for (const c of n.children) walk(c, `${prefix + n.name} › `, depth + 1);
  };
  for (const r of roots) walk(r, "", 0);
  return out;
};

const roleOptions = (current) =>
  ["buyer", "seller", "admin"].map((r) => `<option${r === current ? " selected" : ""}>${r}</option>`).join("");

export const adminViews = {
  "admin-overview": {
    async load(get) {
      const [platform, taxes, chart] = await Promise.all([
        get("/analytics/platform"),
        get("/analytics/tax"),
        get("/analytics/platform/timeseries?format=svg", "text"),
      ]);
      if (!platform.ok) return { error: errorOf(platform) };
      return { p: platform.data, tax: taxes.ok ? taxes.data.data : [], chart: chart.ok ? chart.data : null };
    },
    view({ p, tax, chart }) {
      return `<ul class="kpis" aria-label="Last 30 days">
        <li><span>GMV</span><strong>${money(p.gmv)}</strong></li><li><span>Orders</span><strong>${p.orders}</strong></li>
        <li><span>Active buyers</span><strong>${p.active_buyers}</strong></li><li><span>Sign-ups</span><strong>${p.registrations}</strong></li>
        <li><span>Searches</span><strong>${p.searches}</strong></li></ul>
      <section aria-labelledby="h-gmv"><h2 id="h-gmv">GMV per day (30 days)</h2>
        <figure class="chart-box">${chart ?? "<p>The chart is unavailable.</p>"}</figure></section>
      <section aria-labelledby="h-sellers"><h2 id="h-sellers">Top sellers</h2>${table(
        "Top sellers",
        ["Seller", "Orders", "Revenue"],
        (p.top_sellers ?? []).map((s) => [esc(s.seller_id), s.orders, money(s.revenue)]),
        "No sales in this period.",
      )}</section>
      <section aria-labelledby="h-tax"><h2 id="h-tax">Tax by jurisdiction (30 days, usd)</h2>${table(
        "Tax by jurisdiction",
        ["Jurisdiction", "Orders", "Sales tax collected", "Refunded", "Net to remit", "VAT/GST in prices (net)"],
        tax.map((j) => [
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
  },

  "admin-reviews": {
    async load(get, { url }) {
      const queue = url.searchParams.get("queue") === "all" ? "all" : "open";
      const sort = url.searchParams.get("sort") === "newest" ? "newest" : "reported";
      const r = await get(passOn(url, `/admin/reviews?limit=20&queue=${queue}&sort=${sort}`, ["cursor"]));
      return r.ok ? { page: r.data, queue, sort } : { error: errorOf(r) };
    },
    view({ page, queue, sort }, { url }) {
      const tab = (label, changes, current) =>
        `<a href="${esc(withQuery(url, { ...changes, cursor: null }))}"${current ? ' aria-current="page"' : ""}>${label}</a>`;
      const reasons = (m) =>
        Object.entries(m)
          .map(([k, n]) => `${esc(k.replace("_", " "))}${n > 1 ? ` × ${n}` : ""}`)
          .join(", ");
      return `<nav class="tabs" aria-label="Queue">${tab("Open", { queue: "open" }, queue === "open")}${tab("All", { queue: "all" }, queue === "all")}
        <span aria-hidden="true">·</span>${tab("Most reported", { sort: "reported" }, sort === "reported")}${tab("Newest", { sort: "newest" }, sort === "newest")}</nav>
      <ul class="queue">${
        page.data
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
      }</ul>${pager(url, page.next_cursor)}`;
    },
  },

  "admin-users": {
    async load(get, { url }) {
      const [list, log] = await Promise.all([
        get(passOn(url, "/users?limit=20", ["q", "role", "cursor"])),
        get("/admin/audit-log?limit=10"),
      ]);
      if (!list.ok) return { error: errorOf(list) };
      return { page: list.data, log: log.ok ? log.data.data : [] };
    },
    view({ page, log }, { url }) {
      const q = url.searchParams;
      return `<form class="filters" method="get"><label for="u-q">Email or username starts with</label><input id="u-q" name="q" value="${esc(q.get("q") ?? "")}">
        <label for="u-role">Role</label><select id="u-role" name="role"><option value="">Any</option>${roleOptions(q.get("role") ?? "")}</select>
        <button type="submit">Search</button></form>
      ${table(
        "Users",
        ["User", "Email", "Joined", "Role", "Account"],
        page.data.map((u) => [
          esc(u.username),
          esc(u.email),
          when(u.created_at),
          `<label for="role-${esc(u.user_id)}" class="sr">Role of ${esc(u.username)}</label><select id="role-${esc(u.user_id)}">${roleOptions(u.role)}</select>
          <button type="button" data-role-of="${esc(u.user_id)}">Change</button>`,
          u.suspended_at
            ? `${badge("suspended")} <button type="button" data-restore="${esc(u.user_id)}">Restore</button>`
            : `<label for="why-${esc(u.user_id)}" class="sr">Why suspend ${esc(u.username)}</label><input id="why-${esc(u.user_id)}" placeholder="Reason" maxlength="500" class="small">
              <button type="button" data-suspend="${esc(u.user_id)}">Suspend</button>`,
        ]),
        "No user matches.",
      )}${pager(url, page.next_cursor)}
      <section aria-labelledby="h-audit"><h2 id="h-audit">Audit trail</h2>${table(
        "Recent admin actions",
        ["When", "Who", "Action", "On", "Details"],
        log.map((e) => [
          when(e.created_at),
          esc(e.actor_id),
          esc(e.action),
          `${esc(e.target_type)} ${esc(e.target_id)}`,
          `<code>${esc(JSON.stringify(e.details ?? {}).slice(0, 120))}</code>`,
        ]),
        "No admin actions yet.",
      )}</section>`;
    },
  },

  "admin-categories": {
    async load(get, { url }) {
      const cats = await get("/categories");
      if (!cats.ok) return { error: errorOf(cats) };
      const flat = flatten(cats.data.data);
      const pick = url.searchParams.get("category") ?? flat[0]?.[0] ?? null;
      const attrs = pick ? await get(`/categories/${encodeURIComponent(pick)}/attributes`) : null;
      return { roots: cats.data.data, pick, attrs: attrs?.ok ? attrs.data.data : [] };
    },
    view({ roots, pick, attrs }, { url }) {
      const flat = flatten(roots);
      const chosen = flat.find((f) => f[0] === pick);
      // A category's parent may be any category but itself and those below it.
      const parentOptions = (self, current) =>
        `<option value="">(top level)</option>${flat
          .filter(
            ([id, path]) => id !== self && !path.includes(`${flat.find((f) => f[0] === self)?.[1] ?? "\u0000"} ›`),
          )
          .map(([id, path]) => `<option value="${esc(id)}"${id === current ? " selected" : ""}>${esc(path)}</option>`)
          .join("")}`;
      return `<div class="panels">
      <section aria-labelledby="h-tree"><h2 id="h-tree">Category tree</h2>
        <ul class="tree">${flat
          .map(
            ([id, , depth, n]) =>
              `<li class="d${Math.min(depth, 4)}"><a href="${esc(withQuery(url, { category: id }))}"${id === pick ? ' aria-current="true"' : ""}>${esc(n.name)}</a></li>`,
          )
          .join("")}</ul>
        <form id="new-cat"><h3>New category</h3><label for="cat-name">Name</label><input id="cat-name" required maxlength="100">
          <label for="cat-parent">Parent</label><select id="cat-parent">${parentOptions(null, null)}</select>
          <button type="submit">Create</button></form></section>
      ${
        chosen
          ? `<section aria-labelledby="h-cat"><h2 id="h-cat">${esc(chosen[1])}</h2>
        <form id="edit-cat"><label for="ec-name">Name</label><input id="ec-name" required maxlength="100" value="${esc(chosen[3].name)}">
          <label for="ec-parent">Parent</label><select id="ec-parent">${parentOptions(pick, chosen[3].parent_id ?? "")}</select>
          <button type="submit">Save</button> <button type="button" id="del-cat">Delete</button></form>
        <h3>Attributes (own and inherited)</h3>${table(
          "Attributes",
          ["Name", "Type", "Values", "Required", "Variant option", "Facet"],
          attrs.map((a) => [
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
    },
  },

  "admin-commissions": {
    async load(get) {
      const [rules, cats] = await Promise.all([get("/admin/commissions"), get("/categories")]);
      if (!rules.ok) return { error: errorOf(rules) };
      return { rules: rules.data.data, paths: flatten(cats.ok ? cats.data.data : []).map(([id, path]) => [id, path]) };
    },
    view({ rules, paths }) {
      const names = new Map(paths);
      return `<p>A rule applies to its category and, unless they have their own, to its subcategories.</p>
      ${table(
        "Commission rules",
        ["Category", "Percent", "Fixed fee", "Min", "Max", ""],
        rules.map((r, i) => [
          esc(names.get(r.category_id) ?? r.category_id),
          `${r.percent}%`,
          money(r.fixed ?? 0),
          r.min == null ? "" : money(r.min),
          r.max == null ? "" : money(r.max),
          `<button type="button" data-drop-rule="${i}">Remove</button>`,
        ]),
        "No rules: the default commission applies everywhere.",
      )}
      <form id="new-rule" class="inline"><label for="cr-cat">Category</label><select id="cr-cat">${paths.map(([id, path]) => `<option value="${esc(id)}">${esc(path)}</option>`).join("")}</select>
        <label for="cr-pct">Percent</label><input id="cr-pct" type="number" min="0" max="100" step="0.01" required value="10">
        <label for="cr-fixed">Fixed fee (cents)</label><input id="cr-fixed" type="number" min="0" value="0">
        <button type="submit">Set rule</button></form>`;
    },
  },

  "admin-coupons": {
    async load(get, { url }) {
      const r = await get(passOn(url, "/coupons?limit=20", ["cursor"]));
      return r.ok ? { page: r.data } : { error: errorOf(r) };
    },
    view({ page }, { url }) {
      const off = (c) => (c.kind === "percent" ? `${c.value}%` : c.kind === "fixed" ? money(c.value) : "free shipping");
      return `${table(
        "Coupons",
        ["Code", "Off", "Whose", "Minimum", "Used", "Ends", "Active"],
        page.data.map((c) => [
          esc(c.code),
          off(c),
          c.seller_id ? `seller ${esc(c.seller_id)}` : "the platform",
          c.min_subtotal ? money(c.min_subtotal) : "",
          `${c.times_redeemed}${c.usage_limit ? ` of ${c.usage_limit}` : ""}`,
          when(c.ends_at),
          c.active ? "yes" : "no",
        ]),
        "No coupons yet.",
      )}${pager(url, page.next_cursor)}
      <form id="new-coupon"><h2>New platform coupon</h2>
        <label for="ac-code">Code</label><input id="ac-code" required pattern="[A-Za-z0-9_-]{3,32}">
        <label for="ac-kind">Kind</label><select id="ac-kind"><option value="percent">Percent off</option><option value="fixed">Amount off (cents)</option><option value="free_shipping">Free shipping</option></select>
        <label for="ac-value">Value</label><input id="ac-value" type="number" min="0" value="10">
        <label for="ac-min">Minimum subtotal (cents)</label><input id="ac-min" type="number" min="0" value="0">
        <label for="ac-limit">Uses in all (empty: no limit)</label><input id="ac-limit" type="number" min="1">
        <button type="submit">Create coupon</button></form>`;
    },
  },

  "admin-dead-letters": {
    async load(get) {
      const dead = await get("/admin/dead-letters?limit=100");
      return dead.ok ? { dead: dead.data.data } : { error: errorOf(dead) };
    },
    view({ dead }) {
      const waiting = dead.filter((d) => !d.replayed_at).length;
      return `<p>${waiting} message${waiting === 1 ? "" : "s"} waiting. Consumers are idempotent, so a replay of one that meanwhile succeeded does no harm.
        ${waiting ? '<button type="button" id="replay-all">Replay all waiting</button>' : ""}</p>
      ${table(
        "Dead letters",
        ["Queue", "Message", "Died", "Attempts", "Body", ""],
        dead.map((d) => [
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
    },
  },
};
