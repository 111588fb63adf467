import { Hono, type Context } from "hono";
import { readPageCookie } from "../lib/page-cookie";
import { verifyAccessToken } from "../services/tokens";
import type { AppEnv, Role } from "../types";
import { ADMIN_SECTIONS, AppPage, SELLER_SECTIONS } from "../web/app-page";
// The same views the browser renders after a change (plain ES modules served from /assets).
import { adminViews } from "../../public/assets/admin-views.js";
import { sellerViews } from "../../public/assets/seller-views.js";
import { buyerViews } from "../../public/assets/buyer-views.js";
import { failed } from "../../public/assets/html.js";

/** What a page view reads the API with, in the server and in the browser alike. */
type Read = { ok: boolean; status: number; data: unknown };
type PageView = {
  load(get: (path: string, as?: "text") => Promise<Read>, ctx: ViewContext): Promise<{ error?: string }>;
  view(data: unknown, ctx: ViewContext): string;
};
type ViewContext = { url: URL; user: { user_id: string; role: Role } };
/** The app itself, called in-process: each read goes through the API's own auth and checks. */
type HonoExecutionContext = Context["executionCtx"];
export type SelfFetch = (
  request: Request,
  env: Env,
  ctx: HonoExecutionContext | undefined,
) => Response | Promise<Response>;

const SELLER_ROLES: Role[] = ["seller", "admin"];
const ADMIN_ROLES: Role[] = ["admin"];
const ANY_ROLE: Role[] = ["buyer", "seller", "admin"];

/**
 * The seller dashboard, the admin and a buyer's own pages (cart, checkout, orders, notifications,
 * wishlist), rendered on the server when the browser sends its page cookie (src/lib/page-cookie.ts):
 * the page works and shows its data before any script runs, and the script only wires the controls,
 * from the data put beside the HTML. Without a valid cookie the page is its shell, and the script
 * renders it from the API after refreshing the session.
 *
 * Every read is the JSON API called in-process with the cookie's token, so a page can show exactly
 * what the API would show its user, and no more.
 */
export function dashboardPages(self: SelfFetch) {
  const pages = new Hono<AppEnv>();

  const render = async (c: Context<AppEnv>, title: string, page: string, view: PageView, roles: Role[]) => {
    c.header("Cache-Control", "private, no-store");
    c.header("Vary", "Cookie");
    const shell = () => c.html(<AppPage title={title} page={page} />);
    const token = readPageCookie(c);
    if (!token) return shell();
    const who = await verifyAccessToken(c.env, token).catch(() => null);
    if (!who) return shell();
    const ctx: ViewContext = { url: new URL(c.req.url), user: { user_id: who.userId, role: who.role } };
    if (!roles.includes(who.role)) {
      const data = { error: `This page is for ${roles.join(" and ")} accounts.` };
      return c.html(<AppPage title={title} page={page} content={failed(data.error)} data={data} />, 403);
    }
    let executionCtx: HonoExecutionContext | undefined;
    try {
      executionCtx = c.executionCtx;
    } catch {
      executionCtx = undefined;
    }
    const get = async (path: string, as?: "text"): Promise<Read> => {
      const res = await self(
        new Request(new URL(path, c.req.url), {
          headers: { authorization: `Bearer ${token}`, "x-request-id": c.get("requestId") },
        }),
        c.env,
        executionCtx,
      );
      const text = await res.text();
      if (as === "text") return { ok: res.ok, status: res.status, data: text };
      try {
        return { ok: res.ok, status: res.status, data: text ? JSON.parse(text) : null };
      } catch {
        return { ok: false, status: res.status, data: null };
      }
    };
    const data = await view.load(get, ctx);
    const content = data.error ? failed(data.error) : view.view(data, ctx);
    return c.html(<AppPage title={title} page={page} content={content} data={data} />);
  };

  for (const s of SELLER_SECTIONS) {
    const view = (sellerViews as Record<string, PageView>)[s.page];
    pages.get(s.href, (c) => render(c, `Seller: ${s.label}`, s.page, view, SELLER_ROLES));
  }
  pages.get("/dashboard/orders/:id", (c) =>
    render(c, "Order", "seller-order", sellerViews["seller-order"] as PageView, SELLER_ROLES),
  );
  for (const s of ADMIN_SECTIONS) {
    const view = (adminViews as Record<string, PageView>)[s.page];
    pages.get(s.href, (c) => render(c, `Admin: ${s.label}`, s.page, view, ADMIN_ROLES));
  }
  const buyer = buyerViews as Record<string, PageView>;
  pages
    .get("/store/cart", (c) => render(c, "Your cart", "cart", buyer.cart, ANY_ROLE))
    .get("/store/checkout", (c) => render(c, "Checkout", "checkout", buyer.checkout, ANY_ROLE))
    .get("/store/orders", (c) => render(c, "Your orders", "orders", buyer.orders, ANY_ROLE))
    .get("/store/orders/:id", (c) => render(c, "Order", "order", buyer.order, ANY_ROLE))
    .get("/store/notifications", (c) => render(c, "Notifications", "notifications", buyer.notifications, ANY_ROLE))
    .get("/store/wishlist", (c) => render(c, "Wishlist", "wishlist", buyer.wishlist, ANY_ROLE));
  return pages;
}
