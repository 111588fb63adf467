import { and, eq, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { idempotencyKeys } from "../db/schema/idempotency";

/**
 * Stores `Idempotency-Key` requests and their responses for 24 hours, Stripe's
 * way: the first request with a key claims it (`in_progress`), its response is
 * recorded (`completed`), and a retry with the same key and body gets that
 * response again without the work being done twice.
 */
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** A claim older than this belongs to a request that died; a retry may take it over. */
const IDEMPOTENCY_LOCK_MS = 60 * 1000;

export interface IdempotentRequest {
  caller: string;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
}

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export type BeginResult =
  | { kind: "started" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in_progress" };

type IdemEnv = Pick<Env, "DB">;

async function claim(env: IdemEnv, req: IdempotentRequest, now: number): Promise<boolean> {
  const rows = await getDb(env)
    .insert(idempotencyKeys)
    .values({
      ...req,
      state: "in_progress",
      lockedUntil: now + IDEMPOTENCY_LOCK_MS,
      expiresAt: now + IDEMPOTENCY_TTL_MS,
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

export async function beginIdempotentRequest(env: IdemEnv, req: IdempotentRequest): Promise<BeginResult> {
  const db = getDb(env);
  const now = Date.now();
  if (await claim(env, req, now)) return { kind: "started" };

  const row = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.caller, req.caller), eq(idempotencyKeys.key, req.key)))
    .get();
  if (!row) return (await claim(env, req, now)) ? { kind: "started" } : { kind: "in_progress" };

  if (row.expiresAt <= now) {
    // An expired key is forgotten; whoever deletes it first may claim it afresh.
    await db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.caller, req.caller),
          eq(idempotencyKeys.key, req.key),
          lt(idempotencyKeys.expiresAt, now + 1),
        ),
      );
    return (await claim(env, req, now)) ? { kind: "started" } : { kind: "in_progress" };
  }
  if (row.method !== req.method || row.path !== req.path || row.bodyHash !== req.bodyHash) return { kind: "mismatch" };
  if (row.state === "completed") {
    return {
      kind: "replay",
      response: {
        status: row.responseStatus ?? 200,
        body: row.responseBody ?? "",
        headers: JSON.parse(row.responseHeaders ?? "{}") as Record<string, string>,
      },
    };
  }
  if (row.lockedUntil > now) return { kind: "in_progress" };
  // The first attempt died mid-way: take its claim over, unless another retry just did.
  const taken = await db
    .update(idempotencyKeys)
    .set({ lockedUntil: now + IDEMPOTENCY_LOCK_MS })
    .where(
      and(
        eq(idempotencyKeys.caller, req.caller),
        eq(idempotencyKeys.key, req.key),
        eq(idempotencyKeys.state, "in_progress"),
        eq(idempotencyKeys.lockedUntil, row.lockedUntil),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return taken.length === 1 ? { kind: "started" } : { kind: "in_progress" };
}

export async function completeIdempotentRequest(
  env: IdemEnv,
  req: Pick<IdempotentRequest, "caller" | "key">,
  response: StoredResponse,
): Promise<void> {
  await getDb(env)
    .update(idempotencyKeys)
    .set({
      state: "completed",
      responseStatus: response.status,
      responseBody: response.body,
      responseHeaders: JSON.stringify(response.headers),
    })
    .where(and(eq(idempotencyKeys.caller, req.caller), eq(idempotencyKeys.key, req.key)));
}

/** Releases a claim whose request failed on our side (5xx), so a retry runs it again. */
export async function abandonIdempotentRequest(
  env: IdemEnv,
  req: Pick<IdempotentRequest, "caller" | "key">,
): Promise<void> {
  await getDb(env)
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.caller, req.caller),
        eq(idempotencyKeys.key, req.key),
        eq(idempotencyKeys.state, "in_progress"),
      ),
    );
}

/** Cron: forgets keys past their 24 hours. */
export async function purgeExpiredIdempotencyKeys(env: IdemEnv): Promise<void> {
  await getDb(env).delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, Date.now()));
}
