// Heap per indexed document: builds one search shard's index (the same Orama
// configuration, tokenizer and per-document ranking data as a SearchShard) from
// the 100k synthetic catalog in this Node process and weighs it with the heap
// before and after (after a full GC). Prints one JSON line; bench/search-100k.mjs runs it.
//
//   node --expose-gc --import tsx bench/search-heap.ts [products] [shards]
import { insertMultiple } from "@orama/orama";
import { shardOf } from "../src/services/search/documents";
import { createIndex, docInfo, type SearchDoc } from "../src/services/search/orama-index";
// @ts-expect-error: a plain ES module without types
import { loadSeedCatalog, synthesize } from "../scripts/catalog.mjs";

const products = Number(process.argv[2] ?? 100_000);
const shards = Number(process.argv[3] ?? 16);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

const docs: SearchDoc[] = synthesize(loadSeedCatalog().products, products)
  .map(
    (
      p: {
        name: string;
        description: string;
        brand: string | null;
        categories: string[];
        price: number;
        stock: number;
        popularity: number;
      },
      i: number,
    ) => ({
      id: `prd_${i.toString(36).padStart(8, "0")}`,
      name: p.name,
      description: p.description.slice(0, 2000),
      brand: p.brand ?? "",
      brand_key: (p.brand ?? "").toLowerCase(),
      category_names: p.categories.join(" "),
      category_id: `cat_${p.categories.at(-1)}`,
      category_ids: p.categories.map((c) => `cat_${c}`),
      seller_id: "usr_seller",
      price: p.price,
      rating: 4,
      in_stock: p.stock > 0,
      created_at: i,
      popularity: p.popularity,
      version: 1,
    }),
  )
  .filter((d: SearchDoc) => shardOf(d.id, shards) === 0);

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().heapUsed;
};
const before = await settle();
const db = createIndex(() => () => 0);
await insertMultiple(db, docs.map(({ version: _v, ...d }) => d) as never, 500);
const info = new Map(docs.map((d) => [d.id, docInfo(d)]));
const versions = new Map(docs.map((d) => [d.id, d.version]));
const bytes = (await settle()) - before;
const perDoc = bytes / docs.length;
console.log(
  JSON.stringify({
    documents: docs.length,
    heap_bytes: bytes,
    bytes_per_document: Math.round(perDoc),
    documents_per_64mb: Math.floor((64 * 2 ** 20) / perDoc),
    kept: info.size + versions.size > 0,
  }),
);
