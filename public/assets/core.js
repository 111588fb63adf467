// What every page script shares: the signed-in session (the access token in memory only; the
// refresh token is an HttpOnly cookie scoped to /auth, docs/security.md), the JSON API client with
// the guest cart id, and small DOM helpers.
export const $ = (s, el = document) => el.querySelector(s);
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
export const needLogin = () => {
  if (auth()) return false;
  location.href = `/store/account?next=${encodeURIComponent(location.pathname)}`;
  return true;
};
export const app = () => $("#app");

// ---- what the dashboards share ----
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
