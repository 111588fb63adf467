import { raw } from "hono/html";
import type { Child } from "hono/jsx";

/**
 * The page shell: landmarks, skip link, one stylesheet and one small script. The doctype is written
 * raw (JSX has no node for it); without it browsers render in quirks mode.
 */
export function Layout(props: { title: string; children?: Child; page?: string; q?: string }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · Edge Marketplace`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script type="module" src="/assets/app.js"></script>
        </head>
        <body data-page={props.page ?? ""}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="top">
            <a class="brand" href="/store">
              Edge Marketplace
            </a>
            <form class="search" role="search" action="/store/search" method="get">
              <label for="q" class="sr">
                Search products
              </label>
              <input
                id="q"
                name="q"
                type="search"
                value={props.q ?? ""}
                placeholder="Search products"
                autocomplete="off"
                list="suggestions"
              />
              <datalist id="suggestions"></datalist>
              <button type="submit">Search</button>
            </form>
            <nav aria-label="Account">
              <a href="/store/cart">
                Cart <span id="cart-count" aria-live="polite"></span>
              </a>
              <a href="/store/orders">Orders</a>
              <a href="/store/notifications">
                Inbox <span id="unread" aria-live="polite"></span>
              </a>
              <a href="/store/wishlist">Wishlist</a>
              <a href="/dashboard" data-role="seller">
                Sell
              </a>
              <a href="/admin-ui" data-role="admin">
                Admin
              </a>
              <a href="/store/account" id="account-link">
                Sign in
              </a>
            </nav>
          </header>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
          <div id="toast" role="status" aria-live="polite"></div>
        </body>
      </html>
    </>
  );
}

export const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
