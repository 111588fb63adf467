// Pure HTML helpers shared by the browser and the Worker: the dashboards' views are rendered on the
// server first (src/routes/dashboard-pages.tsx) and again in the browser after a change, from the
// same code. Nothing here may touch the DOM, `location` or storage.
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const money = (c) => `$${(c / 100).toFixed(2)}`;
/** A timestamp the same on the server and in every browser (the server has no viewer's time zone). */
export const when = (iso) => (iso ? `${String(iso).slice(0, 16).replace("T", " ")} UTC` : "");
/** `?k=v` of `url` with some keys changed (null drops one): filters and cursors live in the URL. */
export const withQuery = (url, changes) => {
  const q = new URLSearchParams(url.search);
  for (const [k, v] of Object.entries(changes)) v == null || v === "" ? q.delete(k) : q.set(k, v);
  const s = q.toString();
  return `${url.pathname}${s ? `?${s}` : ""}`;
};
/** The API path `base` with the page's own `keys` from its URL (`status`, `cursor`) passed on. */
export const passOn = (url, base, keys) => {
  const [path, qs] = base.split("?");
  const q = new URLSearchParams(qs);
  for (const k of keys) {
    const v = url.searchParams.get(k);
    if (v) q.set(k, v);
  }
  return `${path}?${q}`;
};
/** A table with a caption for screen readers; `rows` are arrays of cell HTML (already escaped). */
export const table = (caption, heads, rows, empty = "Nothing here yet.") =>
  rows.length
    ? `<div class="scroll" tabindex="0" role="region" aria-label="${esc(caption)}"><table><caption class="sr">${esc(caption)}</caption><thead><tr>${heads.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
    : `<p class="empty">${esc(empty)}</p>`;
/** Cursor pagination: the first page, and the next while the API gives a cursor. */
export const pager = (url, next) => {
  const first = url.searchParams.get("cursor")
    ? `<a href="${esc(withQuery(url, { cursor: null }))}">First page</a>`
    : "";
  const more = next ? `<a href="${esc(withQuery(url, { cursor: next }))}" rel="next">Next page</a>` : "";
  return first || more ? `<nav class="pager" aria-label="Pages">${first}${more}</nav>` : "";
};
/** A status filter that reloads the page with `?status=` (a plain GET form: it works without script). */
export const statusFilter = (url, id, statuses) => {
  const cur = url.searchParams.get("status") ?? "";
  return `<form class="filters" method="get"><label for="${id}">Status</label><select id="${id}" name="status"><option value="">All</option>${statuses.map((s) => `<option value="${s}"${s === cur ? " selected" : ""}>${esc(s.replaceAll("_", " "))}</option>`).join("")}</select><button type="submit">Filter</button></form>`;
};
export const badge = (status) =>
  `<span class="badge s-${esc(status)}">${esc(String(status).replaceAll("_", " "))}</span>`;
/** A CSV link: the script fetches it with the token and saves it as `name` (app.js, data-download). */
export const csv = (href, name, label) => `<a href="${href}" data-download="${name}">${esc(label)}</a>`;
/** A variant's options as "size: M, colour: Navy". */
export const opts = (o) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
    .join(", ");
/** What a page shows when its data could not be read. */
export const failed = (message) => `<p class="error">${esc(message)}</p>`;
/** The message of an API answer `{ ok, status, data }` that failed. */
export const errorOf = (r) => (r.data?.error ? r.data.error.message : `Error ${r.status}`);
