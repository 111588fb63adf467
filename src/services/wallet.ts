import { and, desc, eq, gt, lt, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { walletCustomers, walletEntries, walletMethods } from "../db/schema/wallet";
import { open, reseal, seal } from "../lib/secret-box";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";

/**
 * The wallet: store credit as an append-only ledger (the balance is the sum of
 * entries, never a stored number) and saved payment methods, of which only the
 * provider's id (`pm_…`, `cus_…`) is kept, encrypted with AES-GCM under
 * WALLET_KEY. Card numbers never reach this service.
 */

export async function balance(env: Pick<Env, "DB">, userId: string): Promise<number> {
  const row = await getDb(env)
    .select({ total: sql<number>`COALESCE(SUM(${walletEntries.amount}), 0)` })
    .from(walletEntries)
    .where(eq(walletEntries.userId, userId))
    .get();
  return row?.total ?? 0;
}

/**
 * Spends up to `max` of the user's credit for an order, atomically: the insert
 * is conditional on the balance in the same statement, so two checkouts cannot
 * both spend the same credit. Idempotent per order. Returns what was spent.
 */
export async function debitForOrder(
  env: Pick<Env, "DB">,
  userId: string,
  orderId: string,
  max: number,
): Promise<number> {
  if (max <= 0) return 0;
  await env.DB.prepare(
    `INSERT OR IGNORE INTO wallet_entries (id, user_id, amount, kind, ref)
     SELECT ?1, ?2, -MIN(?3, bal), 'checkout_debit', ?4 FROM (SELECT COALESCE(SUM(amount), 0) AS bal FROM wallet_entries WHERE user_id = ?2)
     WHERE bal > 0`,
  )
    .bind(newId("walletEntry"), userId, max, orderId)
    .run();
  const row = await getDb(env)
    .select({ amount: walletEntries.amount })
    .from(walletEntries)
    .where(and(eq(walletEntries.kind, "checkout_debit"), eq(walletEntries.ref, orderId)))
    .get();
  return row ? -row.amount : 0;
}

/** Undoes an order's debit (the charge failed or the order was cancelled). Idempotent. */
export async function reverseDebit(env: Pick<Env, "DB">, userId: string, orderId: string): Promise<void> {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO wallet_entries (id, user_id, amount, kind, ref)
     SELECT ?1, ?2, -amount, 'checkout_reversal', ?3 FROM wallet_entries WHERE kind = 'checkout_debit' AND ref = ?3`,
  )
    .bind(newId("walletEntry"), userId, orderId)
    .run();
}

/** Credits store credit (a refund to the wallet, an admin goodwill credit). Idempotent per (kind, ref). */
export async function credit(
  env: Pick<Env, "DB">,
  userId: string,
  amount: number,
  kind: "refund_credit" | "admin_credit",
  ref: string,
): Promise<void> {
  if (amount <= 0) return;
  await getDb(env)
    .insert(walletEntries)
    .values({ id: newId("walletEntry"), userId, amount, kind, ref })
    .onConflictDoNothing();
}

export async function listEntries(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const where = [eq(walletEntries.userId, userId)];
  if (cursor) where.push(lt(walletEntries.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(walletEntries)
    .where(and(...where))
    .orderBy(desc(walletEntries.id))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.id]);
  return {
    data: page.data.map((r) => ({
      entry_id: r.id,
      amount: r.amount,
      kind: r.kind,
      ref: r.ref,
      created_at: r.createdAt,
    })),
    next_cursor: page.next_cursor,
  };
}

// ---- saved payment methods ------------------------------------------------------

const mask = (ref: string) => `${ref.slice(0, ref.indexOf("_") + 1)}…${ref.slice(-4)}`;

type MethodRow = typeof walletMethods.$inferSelect;

/** How a saved method is shown: its card's brand, last 4 digits and expiry (older rows: the masked id). */
async function view(env: Pick<Env, "WALLET_KEY">, r: MethodRow) {
  const card =
    r.brand && r.last4 ? { brand: r.brand, last4: r.last4, exp_month: r.expMonth, exp_year: r.expYear } : null;
  return {
    payment_method_id: r.id,
    label: r.label,
    display: card
      ? `${card.brand} •••• ${card.last4}${card.exp_month ? ` ${String(card.exp_month).padStart(2, "0")}/${card.exp_year}` : ""}`
      : mask(await open(env, r.userId, r.encryptedRef)),
    card,
    created_at: r.createdAt,
  };
}

/** The buyer's customer at the provider, when one was made for their saved methods. */
export async function customerOf(env: Pick<Env, "DB">, userId: string): Promise<string | null> {
  const row = await getDb(env).select().from(walletCustomers).where(eq(walletCustomers.userId, userId)).get();
  return row?.customerRef ?? null;
}

/**
 * Keeps a method the provider attached to the buyer's customer: only the provider's ids (the
 * method's sealed) and display data. The customer is recorded the first time.
 */
export async function saveMethod(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  userId: string,
  saved: {
    provider: string;
    customerRef: string;
    methodRef: string;
    card: { brand: string; last4: string; exp_month: number; exp_year: number } | null;
  },
  label?: string,
) {
  const db = getDb(env);
  const [, [row]] = await db.batch([
    db
      .insert(walletCustomers)
      .values({ userId, provider: saved.provider, customerRef: saved.customerRef })
      .onConflictDoNothing(),
    db
      .insert(walletMethods)
      .values({
        id: newId("walletMethod"),
        userId,
        encryptedRef: await seal(env, userId, saved.methodRef),
        label: label ?? null,
        brand: saved.card?.brand ?? null,
        last4: saved.card?.last4 ?? null,
        expMonth: saved.card?.exp_month ?? null,
        expYear: saved.card?.exp_year ?? null,
      })
      .returning(),
  ]);
  return view(env, row);
}

export async function listMethods(env: Pick<Env, "DB" | "WALLET_KEY">, userId: string) {
  const rows = await getDb(env)
    .select()
    .from(walletMethods)
    .where(eq(walletMethods.userId, userId))
    .orderBy(desc(walletMethods.id))
    .all();
  return Promise.all(rows.map((r) => view(env, r)));
}

/** The provider ids behind a saved method, for the user who saved it only (anyone else: 404). */
export async function resolveMethod(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  userId: string,
  methodId: string,
): Promise<{ method: string; customer: string | null }> {
  const row = await getDb(env)
    .select()
    .from(walletMethods)
    .where(and(eq(walletMethods.id, methodId), eq(walletMethods.userId, userId)))
    .get();
  if (!row) throw new ApiError("not_found", "Payment method not found");
  return { method: await open(env, userId, row.encryptedRef), customer: await customerOf(env, userId) };
}

/** Forgets a saved method; `detach` first lets it go at the provider (it can no longer be charged there). */
export async function deleteMethod(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  userId: string,
  methodId: string,
  detach: (ref: string) => Promise<void>,
): Promise<void> {
  const { method } = await resolveMethod(env, userId, methodId);
  await detach(method);
  const res = await getDb(env)
    .delete(walletMethods)
    .where(and(eq(walletMethods.id, methodId), eq(walletMethods.userId, userId)))
    .returning({ id: walletMethods.id });
  if (res.length === 0) throw new ApiError("not_found", "Payment method not found");
}

/** The data export: the store-credit ledger and the saved methods (masked, as the user sees them). */
export async function walletOf(env: Pick<Env, "DB" | "WALLET_KEY">, userId: string) {
  const entries = await getDb(env)
    .select()
    .from(walletEntries)
    .where(eq(walletEntries.userId, userId))
    .orderBy(desc(walletEntries.id))
    .limit(10_000)
    .all();
  return {
    balance: await balance(env, userId),
    entries: entries.map((e) => ({ kind: e.kind, amount: e.amount, ref: e.ref, created_at: e.createdAt })),
    payment_methods: await listMethods(env, userId),
  };
}

/**
 * Erasure: each saved method is detached at the provider (`detach`), then forgotten here. The
 * credit ledger stays: it is accounting, and holds no personal data beyond the user id.
 */
export async function eraseSavedMethods(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  userId: string,
  detach: (ref: string) => Promise<void>,
): Promise<number> {
  const rows = await getDb(env).select().from(walletMethods).where(eq(walletMethods.userId, userId)).all();
  for (const r of rows) await detach(await open(env, userId, r.encryptedRef));
  await getDb(env).delete(walletMethods).where(eq(walletMethods.userId, userId));
  return rows.length;
}

/** Key rotation: re-seals a page of saved methods under the current WALLET_KEY; returns how many moved and where to go on. */
export async function resealMethods(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  after: string,
  limit: number,
): Promise<{ resealed: number; last: string | null }> {
  const rows = await getDb(env)
    .select()
    .from(walletMethods)
    .where(gt(walletMethods.id, after))
    .orderBy(walletMethods.id)
    .limit(limit)
    .all();
  let resealed = 0;
  for (const r of rows) {
    const next = await reseal(env, r.userId, r.encryptedRef);
    if (next === null) continue;
    await getDb(env).update(walletMethods).set({ encryptedRef: next }).where(eq(walletMethods.id, r.id));
    resealed++;
  }
  return { resealed, last: rows.length === limit ? rows[rows.length - 1].id : null };
}
