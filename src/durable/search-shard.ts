import { DurableObject } from "cloudflare:workers";
import { count, create, insertMultiple, load, removeMultiple, save, search, type Orama, type RawData } from "@orama/orama";
import { stemmer } from "@orama/stemmers/english";
import { stopwords as englishStopwords } from "@orama/stopwords/english";
import { errorFields, log } from "../lib/logger";
import { TtlCache } from "../lib/ttl-cache";
import { docTerms, rankDoc, shardOf, terms, toSearchDoc, type DocTerms, type ProductForIndex } from "../services/search/documents";

/**
 * One shard of the product search index: an Orama index in memory, a snapshot
 * of it in this object's storage (chunked: a stored value is at most 2 MB), and
 * the version of each document so an older update never overwrites a newer
 * one. A cold shard restores from its snapshot; an empty one (first start, or
 * after `clear`) is rebuilt from D1 by the search module.
 */

export const SEARCH_SCHEMA = {
  name: "string",
  description: "string",
  brand: "string",
  brand_key: "enum",
  category_names: "string",
  category_id: "string",
  category_ids: "enum[]",
  seller_id: "enum",
  price: "number",
  rating: "number",
  in_stock: "boolean",
  created_at: "number",
  popularity: "number",
} as const;

export interface SearchDoc {
  id: string;
  name: string;
  description: string;
  brand: string;
  brand_key: string;
  category_names: string;
  category_id: string;
  category_ids: string[];
  seller_id: string;
  price: number;
  rating: number;
  in_stock: boolean;
  created_at: number;
  popularity: number;
  /** Product version * 1e9 + stock seq: a later write always compares greater. */
  version: number;
}

export interface ShardQuery {
  term: string;
  where: Record<string, unknown>;
  sort: "relevance" | "price_asc" | "price_desc" | "rating" | "newest";
  /** How many top hits this shard returns (offset + limit of the merged page). */
  take: number;
  tolerance: number;
  /** AND (0) first; the search module retries OR (1) when AND finds nothing. */
  threshold: number;
  facets: boolean;
  priceRanges: { from: number; to: number }[];
}

export interface ShardHit {
  id: string;
  /** rankDoc() of the hit for relevance sorts, else 0. */
  rank: number;
  price: number;
  rating: number;
  created_at: number;
  popularity: number;
}

export interface ShardResult {
  hits: ShardHit[];
  count: number;
  facets: Record<string, Record<string, number>>;
}

const CHUNK_CHARS = 1_000_000;
/** Matches ranked per relevance query per shard; beyond it, Orama's BM25 order picks which are ranked. */
const MAX_RANKED_MATCHES = 1_500;
const SNAPSHOT_DELAY_MS = 5_000;

type Db = Orama<typeof SEARCH_SCHEMA>;

export function createIndex(): Db {
  return create({
    schema: SEARCH_SCHEMA,
    components: { tokenizer: { stemming: true, stemmer, stopWords: englishStopwords } },
  }) as Db;
}

export class SearchShard extends DurableObject<Env> {
  private db: Db = createIndex();
  private versions = new Map<string, number>();
  /** Stemmed words per document, computed at index time, for ranking without re-tokenising. */
  private docWords = new Map<string, DocTerms & { popularity: number }>();
  private restored = false;
  private filled = false;
  /** Answers by query, dropped on every write: popular queries cost one lookup. */
  private results = new TtlCache<ShardResult>(60_000, 500);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS snapshot_chunks (n INTEGER PRIMARY KEY, data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      `);
      await this.restore();
    });
  }

  /** Loads the last snapshot, if any. Returns how long it took (for the bench). */
  private async restore(): Promise<number> {
    const t0 = Date.now();
    const chunks = this.ctx.storage.sql.exec<{ data: string }>("SELECT data FROM snapshot_chunks ORDER BY n").toArray();
    if (chunks.length === 0) return 0;
    try {
      const { index, versions, words } = JSON.parse(chunks.map((c) => c.data).join("")) as {
        index: RawData;
        versions: [string, number][];
        words: [string, DocTerms & { popularity: number }][];
      };
      const db = createIndex();
      load(db, index);
      this.db = db;
      this.versions = new Map(versions);
      this.docWords = new Map(words);
      this.restored = true;
    } catch (err) {
      log("error", "search snapshot unreadable; the shard will be rebuilt", errorFields(err));
      this.ctx.storage.sql.exec("DELETE FROM snapshot_chunks");
    }
    return Date.now() - t0;
  }

  private async persist(): Promise<void> {
    const text = JSON.stringify({ index: save(this.db), versions: [...this.versions], words: [...this.docWords] });
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM snapshot_chunks");
      for (let i = 0, n = 0; i < text.length; i += CHUNK_CHARS, n++) {
        this.ctx.storage.sql.exec("INSERT INTO snapshot_chunks (n, data) VALUES (?, ?)", n, text.slice(i, i + CHUNK_CHARS));
      }
    });
  }

  async alarm(): Promise<void> {
    await this.persist();
  }

  private async scheduleSnapshot(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SNAPSHOT_DELAY_MS);
  }

  /** How many documents, and whether it was ever filled (so the module knows to rebuild an empty shard). */
  async stats(): Promise<{ documents: number; filled: boolean; snapshotChunks: number; snapshotChars: number }> {
    const filled = this.restored || this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE k = 'filled'").toArray().length > 0;
    const snap = this.ctx.storage.sql.exec<{ n: number; c: number }>("SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(data)), 0) AS c FROM snapshot_chunks").one();
    return { documents: count(this.db), filled, snapshotChunks: snap.n, snapshotChars: snap.c };
  }

  /**
   * Applies documents newer than what the shard holds, and removals (a
   * removal carries the version that retired the document). Idempotent.
   */
  async apply(upserts: SearchDoc[], removals: { id: string; version: number }[] = [], markFilled = false): Promise<{ applied: number }> {
    const fresh = upserts.filter((d) => (this.versions.get(d.id) ?? -1) < d.version);
    const gone = removals.filter((r) => (this.versions.get(r.id) ?? -1) < r.version);
    const replace = [...fresh.map((d) => d.id), ...gone.map((r) => r.id)].filter((id) => this.versions.has(id) && this.versions.get(id)! >= 0);
    if (replace.length) await removeMultiple(this.db, replace);
    if (fresh.length) {
      await insertMultiple(
        this.db,
        fresh.map(({ version: _v, ...doc }) => doc),
        500,
      );
    }
    for (const d of fresh) {
      this.versions.set(d.id, d.version);
      this.docWords.set(d.id, { ...docTerms(d), popularity: d.popularity });
    }
    for (const r of gone) this.docWords.delete(r.id);
    // A removed document keeps its version, negated, so a late older upsert cannot bring it back.
    for (const r of gone) this.versions.set(r.id, -r.version);
    if (markFilled) this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('filled', '1')");
    if (fresh.length || gone.length) {
      this.results.clear();
      await this.scheduleSnapshot();
    }
    return { applied: fresh.length + gone.length };
  }

  /** Empties the shard (before a rebuild). */
  async clear(): Promise<void> {
    this.db = createIndex();
    this.versions.clear();
    this.docWords.clear();
    this.results.clear();
    this.restored = false;
    this.filled = false;
    this.ctx.storage.sql.exec("DELETE FROM snapshot_chunks");
    this.ctx.storage.sql.exec("DELETE FROM meta");
  }

  /** Drops the in-memory index and reloads the snapshot, as a cold start would (tests, bench). */
  async reload(): Promise<{ restoreMs: number; documents: number }> {
    await this.persist();
    this.db = createIndex();
    this.versions.clear();
    this.docWords.clear();
    const restoreMs = await this.restore();
    return { restoreMs, documents: count(this.db) };
  }

  /**
   * Builds this shard from D1 when it has never been filled (first start, a
   * new shard count, after `clear`). Held under blockConcurrencyWhile, so
   * concurrent first queries wait for one rebuild instead of each doing it.
   */
  async ensureFilled(shard: number, shards: number): Promise<void> {
    // Checked on every query, so from memory (stats() reads the snapshot's size: megabytes).
    if (this.filled) return;
    if (this.isFilled()) {
      this.filled = true;
      return;
    }
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.isFilled()) return;
      const names = new Map(
        (await this.env.DB.prepare("SELECT id, name FROM categories").all<{ id: string; name: string }>()).results.map((r) => [r.id, r.name]),
      );
      let after = "";
      for (;;) {
        const page = await this.env.DB.prepare(
          `SELECT id, seller_id, category_id, category_path, name, description, price, brand, status, rating_average,
                  stock_available, popularity, version, stock_version, created_at
           FROM products WHERE status = 'active' AND id > ? ORDER BY id LIMIT 2000`,
        )
          .bind(after)
          .all<ProductForIndex>();
        const rows = page.results;
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id;
        await this.apply(rows.filter((r) => shardOf(r.id, shards) === shard).map((r) => toSearchDoc(r, names)));
      }
      await this.apply([], [], true);
      await this.persist();
    });
    this.filled = true;
  }

  private isFilled(): boolean {
    return this.restored || this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE k = 'filled'").toArray().length > 0;
  }

  /** One call per shard per search: fills the shard if needed, then answers (cached until the next write). */
  async fillAndQuery(q: ShardQuery, shard: number, shards: number): Promise<ShardResult> {
    await this.ensureFilled(shard, shards);
    const key = JSON.stringify(q);
    const hit = this.results.get(key);
    if (hit) return hit;
    const result = await this.query(q);
    this.results.set(key, result);
    return result;
  }

  async query(q: ShardQuery): Promise<ShardResult> {
    const sortBy =
      q.sort === "price_asc"
        ? { property: "price", order: "ASC" as const }
        : q.sort === "price_desc"
          ? { property: "price", order: "DESC" as const }
          : q.sort === "rating"
            ? { property: "rating", order: "DESC" as const }
            : q.sort === "newest"
              ? { property: "created_at", order: "DESC" as const }
              : undefined;
    const res = await search(this.db, {
      term: q.term,
      properties: q.term ? ["name", "brand", "category_names", "description"] : undefined,
      boost: { name: 3, brand: 2, category_names: 1.5, description: 0.5 },
      tolerance: q.tolerance,
      threshold: q.threshold,
      where: q.where as never,
      // Relevance: every match (up to a cap) is ranked here with rankDoc, so the top `take` is the
      // same set whatever the shard count. Other sorts: Orama's order is already global.
      limit: sortBy || !q.term ? q.take : MAX_RANKED_MATCHES,
      offset: 0,
      ...(sortBy ? { sortBy } : {}),
      ...(q.facets
        ? {
            facets: {
              // Complete per-shard counts; the merger keeps the top values of the sums.
              brand: { limit: 1000, sort: "DESC" },
              category_id: { limit: 1000, sort: "DESC" },
              price: { ranges: q.priceRanges },
            },
          }
        : {}),
    } as never);
    const r = res as unknown as {
      count: number;
      hits: { id: string; score: number; document: SearchDoc }[];
      facets?: Record<string, { values: Record<string, number> }>;
    };
    const facets: Record<string, Record<string, number>> = {};
    for (const [k, v] of Object.entries(r.facets ?? {})) facets[k] = v.values;
    const queryTerms = q.term ? terms(q.term) : [];
    const hits: ShardHit[] = r.hits.map((h) => ({
      id: h.id,
      // Text relevance first; among equally good matches, what shoppers pick more often (popularity, log-scaled).
      rank: !sortBy && queryTerms.length ? rankDoc(queryTerms, this.docWords.get(h.id) ?? docTerms(h.document)) + 0.5 * Math.log10(1 + h.document.popularity) : 0,
      price: h.document.price,
      rating: h.document.rating,
      created_at: h.document.created_at,
      popularity: h.document.popularity,
    }));
    if (!sortBy) hits.sort((a, b) => b.rank - a.rank || b.popularity - a.popularity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { count: r.count, facets, hits: hits.slice(0, q.take) };
  }
}
