import { defaultVariantId } from "../../lib/variant-ids";
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { returns } from "../../db/schema/returns";
import { eachOrderShard, onOrderShard } from "../../db/shards";
import { ApiError } from "../../lib/errors";
import { decodeCursor, toPage } from "../../lib/pagination";
import type { AuthContext } from "../../types";
import { notify } from "../notifications";

/** A return's row and API shape, who may act on it, reading and listing returns, and the guarded status move each step makes. */

export type ReturnRow = typeof returns.$inferSelect;

export type Line = ReturnRow["items"][number];

export function toReturn(r: ReturnRow) {
  return {
    return_id: r.id,
    order_id: r.orderId,
    user_id: r.userId,
    seller_id: r.sellerId,
    status: r.status,
    items: r.items.map((i) => ({
      order_item_id: i.order_item_id,
      product_id: i.product_id,
      variant_id: i.variant_id ?? defaultVariantId(i.product_id),
      quantity: i.quantity,
      condition: i.condition,
    })),
    reason: r.reason,
    note: r.note,
    label: r.label,
    tracking_number: r.trackingNumber,
    refund_id: r.refundId,
    amount: r.amount,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export const conflict = (message: string) => new ApiError("invalid_state", message);

export async function tell(env: Env, userId: string, r: ReturnRow, title: string, body: string) {
  await notify(env, {
    userId,
    kind: "return_update",
    title,
    body,
    data: { return_id: r.id, order_id: r.orderId, status: r.status },
    dedupeKey: `return:${r.id}:${r.status}:${userId}`,
  });
}

async function load(env: Pick<Env, "DB">, id: string): Promise<ReturnRow | undefined> {
  for (const e of eachOrderShard(env)) {
    const row = await getDb(e).select().from(returns).where(eq(returns.id, id)).get();
    if (row) return row;
  }
  return undefined;
}

type Role = "buyer" | "seller" | "admin";

function roleOn(auth: AuthContext, r: ReturnRow): Role | null {
  if (auth.role === "admin") return "admin";
  if (auth.userId === r.userId) return "buyer";
  if (auth.userId === r.sellerId) return "seller";
  return null;
}

/** A return for someone allowed to see it (anyone else: 404, so that it does not leak). */
export async function getReturn(env: Pick<Env, "DB">, auth: AuthContext, id: string) {
  const r = await load(env, id);
  if (!r || !roleOn(auth, r)) throw new ApiError("not_found", "Return not found");
  return { row: r, role: roleOn(auth, r)! };
}

/** Compare-and-set of the status: of two racing decisions exactly one wins. */
export async function move(
  env: Pick<Env, "DB">,
  r: ReturnRow,
  from: ReturnRow["status"][],
  patch: Partial<ReturnRow>,
): Promise<ReturnRow> {
  const db = getDb(onOrderShard(env, r.orderId));
  for (const status of from) {
    const row = await db
      .update(returns)
      .set({ ...patch, updatedAt: new Date().toISOString() })
      .where(and(eq(returns.id, r.id), eq(returns.status, status)))
      .returning()
      .get();
    if (row) return row;
  }
  throw conflict(`A return that is ${r.status} cannot become ${patch.status}`);
}

export function assertSellerSide(role: Role) {
  if (role !== "seller" && role !== "admin")
    throw new ApiError("forbidden", "Only the seller of these lines or an admin decides a return");
}

/** Buyer: theirs; seller: the returns of their lines; admin: all. Newest first, one read per order database. */
export async function listReturns(
  env: Pick<Env, "DB">,
  auth: AuthContext,
  q: { status?: ReturnRow["status"]; limit: number; cursor?: string },
) {
  const where: SQL[] = [];
  if (auth.role === "seller") where.push(or(eq(returns.sellerId, auth.userId), eq(returns.userId, auth.userId))!);
  else if (auth.role !== "admin") where.push(eq(returns.userId, auth.userId));
  if (q.status) where.push(eq(returns.status, q.status));
  if (q.cursor) where.push(lt(returns.id, String(decodeCursor(q.cursor, 1)[0])));
  const perShard = await Promise.all(
    eachOrderShard(env).map((e) =>
      getDb(e)
        .select()
        .from(returns)
        .where(and(...where))
        .orderBy(desc(returns.id))
        .limit(q.limit + 1)
        .all(),
    ),
  );
  const rows = perShard
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, q.limit + 1);
  const page = toPage(rows, q.limit, (r) => [r.id]);
  return { data: page.data.map(toReturn), next_cursor: page.next_cursor };
}
