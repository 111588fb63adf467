import { categoryNames } from "../catalog/index-feed";
import { rowsToIndex } from "./index-rows";
import { searchable, shardOf, toSearchDoc, type ProductForIndex } from "./documents";
import { shardCount, shardStub } from "./shards";
import { invalidateSearchCache } from "./query";

/** Keeping the shards up to date with the catalog: by event, by full rebuild, and their figures. */
/**
 * Brings the index up to date with D1 for these products: active ones are
 * upserted, archived ones removed. Reads the current row, so any event about a
 * product (whatever its order) leaves the index at the latest state.
 */
export async function indexProducts(env: Env, productIds: string[], opts: { shards?: number } = {}): Promise<void> {
  if (productIds.length === 0) return;
  const shards = opts.shards ?? shardCount(env);
  const names = await categoryNames(env);
  const rows = await rowsToIndex(env, [...new Set(productIds)]);
  const byShard = new Map<number, ProductForIndex[]>();
  for (const r of rows) {
    const s = shardOf(r.id, shards);
    byShard.set(s, [...(byShard.get(s) ?? []), r]);
  }
  await Promise.all(
    [...byShard].map(async ([i, list]) => {
      const stub = shardStub(env, shards, i);
      await stub.ensureFilled(i, shards);
      await stub.apply(
        list.filter(searchable).map((r) => toSearchDoc(r, names)),
        list.filter((r) => !searchable(r)).map((r) => ({ id: r.id, version: toSearchDoc(r, names).version })),
      );
    }),
  );
  invalidateSearchCache();
}

/** Rebuilds every shard from D1 (admin route, `npm run search:reindex`). */
export async function reindexAll(
  env: Env,
  opts: { shards?: number } = {},
): Promise<{ shards: number; documents: number }> {
  const shards = opts.shards ?? shardCount(env);
  const stats = await Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const stub = shardStub(env, shards, i);
      await stub.clear();
      await stub.ensureFilled(i, shards);
      return stub.stats();
    }),
  );
  invalidateSearchCache();
  return { shards, documents: stats.reduce((s, x) => s + x.documents, 0) };
}

/** Per-shard figures for operators and the bench; `reload` also times a cold restore from the snapshot. */
export async function shardStats(env: Env, reload = false) {
  const shards = shardCount(env);
  return Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const stub = shardStub(env, shards, i);
      await stub.ensureFilled(i, shards);
      const restore = reload ? await stub.reload() : null;
      const s = await stub.stats();
      return {
        shard: i,
        documents: s.documents,
        snapshot_bytes: s.snapshotChars,
        snapshot_chunks: s.snapshotChunks,
        restore_ms: restore?.restoreMs ?? null,
        cached_answers: s.cachedAnswers,
        warming: s.warming,
      };
    }),
  );
}
