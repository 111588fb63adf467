import type { Product } from "../schemas/catalog";
import { Layout } from "./layout";
import { Card } from "./card";

/** The home feed, and the shell of the pages the browser renders from the JSON API. */

export function HomePage({ sections }: { sections: { key: string; title: string; items: Product[] }[] }) {
  return (
    <Layout title="Home" page="home">
      <h1>Welcome to Edge Marketplace</h1>
      {sections.map((s) => (
        <section aria-labelledby={`h-${s.key}`}>
          <h2 id={`h-${s.key}`}>{s.title}</h2>
          <ul class="grid">
            {s.items.slice(0, 8).map((p) => (
              <Card p={p} />
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}

/** Pages rendered in the browser from the JSON API (they need the user's token). */
export function AppPage({ title, page }: { title: string; page: string }) {
  return (
    <Layout title={title} page={page}>
      <h1>{title}</h1>
      <div id="app" aria-live="polite">
        Loading…
      </div>
    </Layout>
  );
}
