// Runs one dashboard or admin page in the browser. The server renders the page first when the
// browser sent its page cookie (src/routes/dashboard-pages.tsx) and puts what it read beside the
// HTML; then the script only wires the controls. Without it (the cookie expired, a first visit), the
// script reads the API and renders the same view itself. After a change, `reload` renders afresh.
import { $, api, app, auth, needLogin, ready, session } from "./core.js";
import { failed } from "./html.js";

/** The views' reader: `{ ok, status, data }`, with `as = "text"` for a body that is not JSON (an SVG). */
const get = async (path, as) => {
  if (as !== "text") return api("GET", path);
  await ready;
  const res = await fetch(path, { headers: session.access ? { authorization: `Bearer ${session.access}` } : {} });
  return { ok: res.ok, status: res.status, data: await res.text() };
};

const context = () => ({ url: new URL(location.href), user: auth()?.user ?? null });

/**
 * `page` is `{ load, view }` from a views module; `wire(data, ctx, reload)` binds its controls.
 * `guests: true` for a page a guest may see too (the cart: the API knows a guest by its cart id).
 */
export async function runPage(page, wire, { guests = false } = {}) {
  const reload = async () => {
    const ctx = context();
    const data = await page.load(get, ctx);
    app().innerHTML = data.error ? failed(data.error) : page.view(data, ctx);
    if (!data.error) wire?.(data, ctx, reload);
    app().setAttribute("data-ready", "");
  };
  const sent = $("#page-data");
  if (sent) {
    const data = JSON.parse(sent.content.textContent);
    sent.remove();
    if (!data.error) wire?.(data, context(), reload);
    // Until now the server's controls took no clicks (app.css), so none was lost before its handler.
    app().setAttribute("data-ready", "");
    return;
  }
  if (!guests && needLogin()) return;
  await reload();
}
