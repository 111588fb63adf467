// What every page script shares: the signed-in session (the access token in memory only; the
// refresh token is an HttpOnly cookie scoped to /auth, docs/security.md), the JSON API client with
// the guest cart id, and small DOM helpers.
export const $ = (s, el = document) => el.querySelector(s);
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const money = (c) => `$${(c / 100).toFixed(2)}`;
// Tokens kept by older versions of this script are dropped on sight.
localStorage.removeItem("auth");
export const session = { user: JSON.parse(localStorage.getItem("user") || "null"), access: null };
export const auth = () => (session.user ? { user: session.user, access_token: session.access } : null);
export const setAuth = (a) => {
  session.user = a ? a.user : null;
  session.access = a ? a.access_token : null;
  if (a) localStorage.setItem("user", JSON.stringify(a.user));
  else localStorage.removeItem("user");
};
export const COOKIE_MODE = { "X-Refresh-Cookie": "1" };
/** One refresh at a time across this origin's tabs (each exchange rotates the cookie). */
async function refreshAccess() {
  const exchange = async () => {
    const r = await fetch("/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json", ...COOKIE_MODE },
      body: "{}",
      credentials: "same-origin",
      // The exchange rotates the cookie: if the page is left mid-request, keepalive still lets the
      // browser take the new cookie, where an aborted request would lose it and the next page's
      // exchange of the old one would be taken for token reuse (ending the session).
      keepalive: true,
    });
    if (!r.ok) return false;
    session.access = (await r.json()).access_token;
    return true;
  };
  return navigator.locks ? navigator.locks.request("auth-refresh", exchange) : exchange();
}
export const ready = session.user ? refreshAccess().then((ok) => ok || setAuth(null)) : Promise.resolve();
export const toast = (msg) => {
  const t = $("#toast");
  t.textContent = msg;
  t.classList.add("show");
  setTimeout(() => t.classList.remove("show"), 4000);
};

export async function api(method, path, body, headers = {}) {
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
export const errorOf = (r) => (r.data?.error ? r.data.error.message : `Error ${r.status}`);
export const needLogin = () => {
  if (auth()) return false;
  location.href = `/store/account?next=${encodeURIComponent(location.pathname)}`;
  return true;
};
export const app = () => $("#app");

// ---- what the dashboards share: the page's query, tables, a cursor pager, a status filter ----
/** The page's query string (filters and the cursor live in the URL, so a page can be linked). */
export const query = () => new URLSearchParams(location.search);
/** `?k=v` of the current page with some keys changed (null drops one). */
export const withQuery = (changes) => {
  const q = query();
  for (const [k, v] of Object.entries(changes)) v == null || v === "" ? q.delete(k) : q.set(k, v);
  const s = q.toString();
  return `${location.pathname}${s ? `?${s}` : ""}`;
};
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
/** A table with a caption for screen readers; `rows` are arrays of cell HTML (already escaped). */
export const table = (caption, heads, rows, empty = "Nothing here yet.") =>
  rows.length
    ? `<div class="scroll" tabindex="0" role="region" aria-label="${esc(caption)}"><table><caption class="sr">${esc(caption)}</caption><thead><tr>${heads.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
    : `<p class="empty">${esc(empty)}</p>`;
/** Cursor pagination: the first page, and the next while the API gives a cursor. */
export const pager = (next) => {
  const first = query().get("cursor") ? `<a href="${withQuery({ cursor: null })}">First page</a>` : "";
  const more = next ? `<a href="${withQuery({ cursor: next })}" rel="next">Next page</a>` : "";
  return first || more ? `<nav class="pager" aria-label="Pages">${first}${more}</nav>` : "";
};
/** A status filter that reloads the page with `?status=` (and from the first page). */
export const statusFilter = (id, statuses) => {
  const cur = query().get("status") ?? "";
  return `<form class="filters" method="get"><label for="${id}">Status</label><select id="${id}" name="status"><option value="">All</option>${statuses.map((s) => `<option value="${s}"${s === cur ? " selected" : ""}>${esc(s.replaceAll("_", " "))}</option>`).join("")}</select><button type="submit">Filter</button></form>`;
};
/** Clicks on `[sel]` inside the page run `fn(button)`; a button is disabled while its call runs. */
export const on = (sel, fn) =>
  app()
    .querySelectorAll(sel)
    .forEach((b) =>
      b.addEventListener("click", async () => {
        b.disabled = true;
        try {
          await fn(b);
        } finally {
          b.disabled = false;
        }
      }),
    );
export const badge = (status) =>
  `<span class="badge s-${esc(status)}">${esc(String(status).replaceAll("_", " "))}</span>`;
/** A CSV link: the script fetches it with the token and saves it as `name` (app.js, data-download). */
export const csv = (href, name, label) => `<a href="${href}" data-download="${name}">${esc(label)}</a>`;
