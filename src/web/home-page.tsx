import type { Product } from "../schemas/catalog";
import { Layout } from "./layout";
import { Card } from "./card";

/** The home feed. */

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
