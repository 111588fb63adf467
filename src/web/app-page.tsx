import { raw } from "hono/html";
import { Layout } from "./layout";

/**
 * The shell of the pages the browser renders from the JSON API (they need the user's token, which
 * lives only in the page's memory). The seller dashboard and the admin are one page per job; their
 * section navigation is rendered here, so it works and is reachable before the script runs.
 */
type Section = { href: string; label: string; page: string };

export const SELLER_SECTIONS: Section[] = [
  { href: "/dashboard", label: "Overview", page: "seller-overview" },
  { href: "/dashboard/orders", label: "Orders", page: "seller-orders" },
  { href: "/dashboard/products", label: "Products", page: "seller-products" },
  { href: "/dashboard/returns", label: "Returns", page: "seller-returns" },
  { href: "/dashboard/payouts", label: "Payouts", page: "seller-payouts" },
  { href: "/dashboard/promotions", label: "Coupons and auctions", page: "seller-promotions" },
  { href: "/dashboard/webhooks", label: "Webhooks", page: "seller-webhooks" },
];

export const ADMIN_SECTIONS: Section[] = [
  { href: "/admin-ui", label: "Overview", page: "admin-overview" },
  { href: "/admin-ui/reviews", label: "Reviews", page: "admin-reviews" },
  { href: "/admin-ui/users", label: "Users", page: "admin-users" },
  { href: "/admin-ui/categories", label: "Categories", page: "admin-categories" },
  { href: "/admin-ui/commissions", label: "Commissions", page: "admin-commissions" },
  { href: "/admin-ui/coupons", label: "Coupons", page: "admin-coupons" },
  { href: "/admin-ui/dead-letters", label: "Dead letters", page: "admin-dead-letters" },
];

function SectionNav({ label, sections, page }: { label: string; sections: Section[]; page: string }) {
  return (
    <nav class="subnav" aria-label={label}>
      {sections.map((s) => (
        <a
          href={s.href}
          aria-current={s.page === page || (page === "seller-order" && s.page === "seller-orders") ? "page" : undefined}
        >
          {s.label}
        </a>
      ))}
    </nav>
  );
}

/**
 * `content`: the page's HTML when the server rendered it (escaped by its view); `data`: what the view
 * was rendered from, for the script that wires its controls (inert JSON in a template).
 */
export function AppPage({
  title,
  page,
  content,
  data,
}: {
  title: string;
  page: string;
  content?: string;
  data?: unknown;
}) {
  const sections = page.startsWith("seller-") ? SELLER_SECTIONS : page.startsWith("admin-") ? ADMIN_SECTIONS : null;
  return (
    <Layout title={title} page={page}>
      {sections && (
        <SectionNav label={page.startsWith("admin-") ? "Admin" : "Seller dashboard"} sections={sections} page={page} />
      )}
      <h1>{title}</h1>
      {content === undefined ? (
        <div id="app" aria-live="polite">
          Loading…
        </div>
      ) : (
        <>
          <div id="app" aria-live="polite" data-rendered="server">
            {raw(content)}
          </div>
          {/* Inert text (escaped by JSX), read by the script: no inline script, nothing to execute. */}
          <template id="page-data">{JSON.stringify(data ?? {})}</template>
        </>
      )}
    </Layout>
  );
}

/** The page for a storefront, dashboard or admin address that does not exist (answered with 404). */
export function NotFoundPage({ what = "page" }: { what?: string }) {
  return (
    <Layout title="Not found" page="missing">
      <h1>We could not find that {what}</h1>
      <p>It may have been removed, or the address may be mistyped.</p>
      <ul>
        <li>
          <a href="/store">Go to the store's home page</a>
        </li>
        <li>
          <a href="/store/search">Browse every product</a>
        </li>
        <li>
          <a href="/store/orders">See your orders</a>
        </li>
      </ul>
    </Layout>
  );
}
