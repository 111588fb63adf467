import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql, checkSearchShardSize } from "../lib/platform-limits";
import { count, getByID, insertMultiple, load, removeMultiple, save, search } from "@orama/orama";
import { errorFields, log } from "../lib/logger";
import { TtlCache } from "../lib/ttl-cache";
import { categoryNames } from "../services/catalog/index-feed";
import { activeRowsPage } from "../services/search/index-rows";
import { mayMatch, ranker, searchable, shardOf, terms, toSearchDoc } from "../services/search/documents";
import type { Visitor } from "../services/search/matcher";
import { createIndex, docInfo, type Db, type DocInfo, type SearchDoc } from "../services/search/orama-index";
import {
  createSnapshotTables,
  dropSnapshot,
  readSnapshot,
  snapshotSize,
  writeSnapshot,
} from "../services/search/shard-snapshot";
import { WARM_QUERIES, warmShardQuery } from "../services/search/shard-query";
/**
 * One shard of the product search index: an Orama index in memory, a snapshot
 * of it in this object's storage (chunked: a stored value is at most 2 MB), and
 * the version of each document so an older update never overwrites a newer
 * one. A cold shard restores from its snapshot; an empty one (first start, or
 * after `clear`) is rebuilt from D1 by the search module.
 *
 * Longer than 300 lines: the index, its snapshot and its query steps are apart
 * (services/search/orama-index.ts, shard-snapshot.ts, shard-query.ts); what is left is the object's
 * lifecycle (fill, restore, warm, apply, answer), which shares the in-memory index and its caches.
 */

// The shard's wire types live with the search module (shard-types.ts), which the Worker side imports without this object.
import type { MatchStep, ShardHit, ShardQuery, ShardResult } from "../services/search/shard-types";

const SNAPSHOT_DELAY_MS = 5_000;

interface CachedResult {
  result: ShardResult;
  /** The query's words; none: a browse, which any write may change. */
  words: string[];
  /** How many of the words a match may lack. */
  missing: number;
}

interface FacetCounts {
  brand: Map<string, number>;
  category_id: Map<string, number>;
  price: number[];
  /** Attribute name -> value -> matches (every attribute: the merger keeps the facetable ones). */
  attrs: Map<string, Map<string, number>>;
}

export class SearchShard extends DurableObject<Env> {
  /** Scores (and counts facets for) each match of the query being run; see matcher.ts. */
  private readonly visitor: Visitor = (queryTerms) => this.visit(queryTerms);
  private db: Db = createIndex(this.visitor);
  private versions = new Map<string, number>();
  /** Stemmed words and facet fields per document, computed at index time. */
  private docWords = new Map<string, DocInfo>();
  /** Set by query() around its synchronous Orama call: where the matches' facets are counted. */
  private counting: { counts: FacetCounts; ranges: { from: number; to: number }[] } | null = null;
  /** Set by query() likewise: how many query words a match may lack. */
  private missing = 0;
  private restored = false;
  private filled = false;
  /**
   * Answers by query: popular queries cost one lookup. A write drops only the
   * answers the written document could appear in (see invalidate), so hot
   * queries stay cached under a steady stream of stock updates.
   */
  private results = new TtlCache<CachedResult>(15 * 60_000, 2_000, 16 * 1024 * 1024, (c, key) => {
    // Estimated without serialising: a hit is an id and five numbers; facets are small maps.
    let facets = 0;
    for (const values of Object.values(c.result.facets)) facets += Object.keys(values).length;
    return key.length * 2 + c.result.hits.length * 120 + facets * 80 + c.words.join("").length * 2 + 256;
  });
  /** Popular queries still to answer ahead of demand after a fill or restore (see warm). */
  private warmQueue: string[] | null = null;
  private warming = false;
  private snapshotDue = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      createSnapshotTables(this.ctx.storage.sql);
      await this.restore();
    });
  }

  /** Loads the last snapshot, if any. Returns how long it took (for the bench). */
  private async restore(): Promise<number> {
    const t0 = Date.now();
    try {
      const snap = readSnapshot(this.ctx.storage.sql);
      if (!snap) return 0;
      const { index, versions, words } = snap;
      const db = createIndex(this.visitor);
      load(db, index);
      this.db = db;
      this.versions = new Map(versions);
      this.docWords = new Map(words);
      this.restored = true;
      await this.scheduleWarm();
    } catch (err) {
      log("warn", "search snapshot not loaded; the shard will be rebuilt", errorFields(err));
      dropSnapshot(this.ctx.storage.sql);
    }
    return Date.now() - t0;
  }

  private async persist(): Promise<void> {
    writeSnapshot(this.ctx.storage, { index: save(this.db), versions: [...this.versions], words: [...this.docWords] });
  }

  /** Writes the snapshot when writes are pending, then answers the next slice of popular queries ahead of demand. */
  async alarm(): Promise<void> {
    if (this.snapshotDue) {
      this.snapshotDue = false;
      await this.persist();
    }
    await this.warm();
  }

  private async scheduleSnapshot(): Promise<void> {
    this.snapshotDue = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SNAPSHOT_DELAY_MS);
  }

  private async scheduleWarm(): Promise<void> {
    this.warmQueue = null;
    this.warming = true;
    const at = Date.now() + 50;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * The most popular queries (search_queries, which real searches feed), run
   * here a slice per alarm so a cold shard answers its heaviest, most frequent
   * queries from cache; a slice is short, so shoppers' queries interleave.
   */
  private async warm(): Promise<void> {
    if (!this.warming || (!this.filled && !this.isFilled())) return;
    if (this.warmQueue === null) {
      const rows = await this.env.DB.prepare("SELECT query FROM search_queries ORDER BY popularity DESC LIMIT ?")
        .bind(WARM_QUERIES)
        .all<{ query: string }>();
      this.warmQueue = rows.results.map((r) => r.query);
    }
    const slice = this.warmQueue.splice(0, 25);
    for (const term of slice) this.cachedQuery(warmShardQuery(term));
    if (this.warmQueue.length) await this.ctx.storage.setAlarm(Date.now() + 20);
    else this.warming = false;
  }

  /** How many documents, and whether it was ever filled (so the module knows to rebuild an empty shard). */
  async stats(): Promise<{
    documents: number;
    filled: boolean;
    snapshotChunks: number;
    snapshotChars: number;
    cachedAnswers: number;
    warming: boolean;
  }> {
    const filled = this.isFilled();
    const snap = snapshotSize(this.ctx.storage.sql);
    return {
      documents: count(this.db),
      filled,
      snapshotChunks: snap.n,
      snapshotChars: snap.c,
      cachedAnswers: this.results.size,
      warming: this.warming,
    };
  }

  /**
   * Applies documents newer than what the shard holds, and removals (a
   * removal carries the version that retired the document). Idempotent.
   */
  async apply(
    upserts: SearchDoc[],
    removals: { id: string; version: number }[] = [],
    markFilled = false,
  ): Promise<{ applied: number }> {
    const fresh = upserts.filter((d) => (this.versions.get(d.id) ?? -1) < d.version);
    const gone = removals.filter((r) => (this.versions.get(r.id) ?? -1) < r.version);
    const replace = [...fresh.map((d) => d.id), ...gone.map((r) => r.id)].filter(
      (id) => this.versions.has(id) && this.versions.get(id)! >= 0,
    );
    // The words of every document this write touches, before and after: cached answers that none of them can match stay.
    const wordsOf = (d: SearchDoc) => [...new Set(terms(`${d.name} ${d.brand} ${d.category_names} ${d.description}`))];
    const touched = fresh.map(wordsOf);
    for (const id of replace) {
      const old = getByID(this.db, id) as SearchDoc | undefined;
      if (old) touched.push(wordsOf(old));
    }
    if (replace.length) await removeMultiple(this.db, replace);
    // A shard that would outgrow its share of the object's memory fails loudly under the checks.
    checkSearchShardSize(count(this.db) + fresh.length - replace.length, this.env);
    if (fresh.length) {
      await insertMultiple(
        this.db,
        fresh.map(({ version: _v, facet_pairs: _p, ...doc }) => doc),
        500,
      );
    }
    for (const d of fresh) {
      this.versions.set(d.id, d.version);
      this.docWords.set(d.id, docInfo(d));
    }
    for (const r of gone) this.docWords.delete(r.id);
    // A removed document keeps its version, negated, so a late older upsert cannot bring it back.
    for (const r of gone) this.versions.set(r.id, -r.version);
    if (markFilled) this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('filled', '1')");
    if (fresh.length || gone.length) {
      this.invalidate(touched);
      await this.scheduleSnapshot();
    }
    return { applied: fresh.length + gone.length };
  }

  /** Drops the cached answers that a document with any of these word sets could belong to. */
  private invalidate(touched: string[][]): void {
    const could = (c: CachedResult, words: string[]) => {
      const hit = (q: string) => words.some((w) => mayMatch(q, w));
      return c.words.filter(hit).length >= Math.max(1, c.words.length - c.missing);
    };
    this.results.retain((c) => c.words.length > 0 && !touched.some((words) => could(c, words)));
  }

  /** Empties the shard (before a rebuild). */
  async clear(): Promise<void> {
    this.db = createIndex(this.visitor);
    this.versions.clear();
    this.docWords.clear();
    this.results.clear();
    this.restored = false;
    this.filled = false;
    dropSnapshot(this.ctx.storage.sql, { everything: true });
  }

  /** Drops the in-memory index and reloads the snapshot, as a cold start would (tests, bench). */
  async reload(): Promise<{ restoreMs: number; documents: number }> {
    await this.persist();
    this.db = createIndex(this.visitor);
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
      const names = await categoryNames(this.env);
      let after = "";
      for (;;) {
        const rows = await activeRowsPage(this.env, after, 2000);
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id;
        await this.apply(
          rows.filter((r) => shardOf(r.id, shards) === shard && searchable(r)).map((r) => toSearchDoc(r, names)),
        );
      }
      await this.apply([], [], true);
      await this.persist();
      await this.scheduleWarm();
    });
    this.filled = true;
  }

  private isFilled(): boolean {
    return this.restored || this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE k = 'filled'").toArray().length > 0;
  }

  /** One call per shard per search: fills the shard if needed, then answers (cached until a write that could change the answer). */
  async fillAndQuery(q: ShardQuery, shard: number, shards: number): Promise<ShardResult> {
    await this.ensureFilled(shard, shards);
    return this.cachedQuery(q);
  }

  private cachedQuery(q: ShardQuery): ShardResult {
    const key = JSON.stringify(q);
    const hit = this.results.get(key);
    if (hit) return hit.result;
    let result: ShardResult = { hits: [], count: 0, step: 0, facets: {} };
    for (let step = 0; step < q.steps.length; step++) {
      result = { ...this.query(q, q.steps[step]), step };
      if (result.count > 0) break;
    }
    // Later steps only widen, so the answered step's `missing` covers what a write could change.
    this.results.set(key, { result, words: [...new Set(terms(q.term))], missing: q.steps[result.step]?.missing ?? 0 });
    return result;
  }

  /**
   * Per match: its relevance (the shared rankDoc score plus popularity, so
   * Orama's order is the final one and only `take` documents are fetched), and
   * its facet values counted. With no query words (browsing), popularity alone.
   */
  private visit(queryTerms: string[]): ReturnType<Visitor> {
    const rank = queryTerms.length ? ranker(queryTerms) : null;
    const counting = this.counting;
    const visit = (id: string): number | null => {
      const d = this.docWords.get(id);
      if (!d) return null;
      if (counting) {
        const { counts, ranges } = counting;
        counts.brand.set(d.brandName, (counts.brand.get(d.brandName) ?? 0) + 1);
        counts.category_id.set(d.category_id, (counts.category_id.get(d.category_id) ?? 0) + 1);
        // Ranges are half-open [from, to), so every price counts once.
        for (let i = 0; i < ranges.length; i++)
          if (d.price >= ranges[i].from && d.price < ranges[i].to) counts.price[i]++;
        for (const [name, value] of d.facets ?? []) {
          let m = counts.attrs.get(name);
          if (!m) counts.attrs.set(name, (m = new Map()));
          m.set(value, (m.get(value) ?? 0) + 1);
        }
      }
      const pop = 0.5 * Math.log10(1 + d.popularity);
      return rank ? rank(d) + pop : pop;
    };
    return { missing: this.missing, visit };
  }

  private query(q: ShardQuery, step: MatchStep): Omit<ShardResult, "step"> {
    const sortBy =
      q.sort === "price_asc"
        ? { property: "price", order: "ASC" as const }
        : q.sort === "price_desc"
          ? { property: "price", order: "DESC" as const }
          : q.sort === "rating"
            ? { property: "rating", order: "DESC" as const }
            : q.sort === "newest"
              ? { property: "created_at", order: "DESC" as const }
              : q.sort === "ending_soonest"
                ? { property: "ends_at", order: "ASC" as const }
                : undefined;
    const counts: FacetCounts = {
      brand: new Map(),
      category_id: new Map(),
      price: q.priceRanges.map(() => 0),
      attrs: new Map(),
    };
    // Orama's search runs synchronously (no hooks are installed), so `counting` belongs to this query alone.
    this.counting = q.facets ? { counts, ranges: q.priceRanges } : null;
    this.missing = step.missing;
    let res: { count: number; hits: { id: string; score: number; document: SearchDoc }[] };
    try {
      res = search(this.db, {
        term: q.term,
        // Always given, so the matcher runs for browsing (no term) too: it ranks by popularity and counts facets.
        properties: ["name", "brand", "category_names", "description"],
        tolerance: step.tolerance,
        where: q.where as never,
        limit: q.take,
        offset: 0,
        ...(sortBy ? { sortBy } : {}),
      } as never) as unknown as { count: number; hits: { id: string; score: number; document: SearchDoc }[] };
    } finally {
      this.counting = null;
    }
    const facets: Record<string, Record<string, number>> = q.facets
      ? {
          brand: Object.fromEntries([...counts.brand].filter(([k]) => k)),
          category_id: Object.fromEntries(counts.category_id),
          price: Object.fromEntries(q.priceRanges.map((r, i) => [`${r.from}-${r.to}`, counts.price[i]])),
          ...Object.fromEntries([...counts.attrs].map(([name, m]) => [`attr:${name}`, Object.fromEntries(m)])),
        }
      : {};
    const relevance = !sortBy && q.term.trim() !== "";
    const hits: ShardHit[] = res.hits.map((h) => ({
      id: h.id,
      rank: relevance ? h.score : 0,
      price: h.document.price,
      rating: h.document.rating,
      created_at: h.document.created_at,
      ends_at: h.document.ends_at ?? 0,
      popularity: h.document.popularity,
    }));
    // Orama breaks score ties by insertion order; the merger's order (popularity, then id) is shard-independent.
    if (!sortBy)
      hits.sort((a, b) => b.rank - a.rank || b.popularity - a.popularity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { count: res.count, facets, hits };
  }
}
