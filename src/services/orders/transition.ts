import { onOrderShard } from "../../db/shards";
import { ApiError } from "../../lib/errors";
import { dispatchEvents, outboxFromSelect } from "../events";
import { type OrderRow, type OrderItemRow, type OrderStatus, type OrderEventPayload, orderEvent } from "./model";
import { chunk } from "./locate";

/** Status moves: one guarded batch per move, the event written in the same transaction. */

/** Writes a status change with its event; `expect` guards against a concurrent move (compare-and-set). */
export async function transition(
  env: Pick<Env, "DB" | "EVENTS">,
  order: OrderRow,
  items: OrderItemRow[],
  expect: OrderStatus[],
  patch: Partial<OrderRow>,
  itemPatch: { ids: string[]; set: Partial<OrderItemRow> } | null,
  eventType: Parameters<typeof orderEvent>[0] | null,
  extra: Partial<OrderEventPayload> = {},
  also: D1PreparedStatement[] = [],
): Promise<OrderRow> {
  const now = new Date().toISOString();
  const next: OrderRow = { ...order, ...patch, updatedAt: now };
  const nextItems = items.map((i) => (itemPatch?.ids.includes(i.id) ? { ...i, ...itemPatch.set } : i));
  const event = eventType ? orderEvent(eventType, next, nextItems, extra) : null;
  // One batch (one transaction): the guarded update, then the item updates and
  // the outbox row, each conditional on the guarded update having won (the
  // order now carries this move's timestamp and status).
  const home = onOrderShard(env, order.id);
  const { DB } = home;
  const cols = Object.entries(toColumns(patch));
  const won = `EXISTS (SELECT 1 FROM orders WHERE id = ? AND updated_at = ? AND status = ?)`;
  const statements = [
    DB.prepare(
      `UPDATE orders SET ${[...cols.map(([c]) => `${c} = ?`), "updated_at = ?"].join(", ")} WHERE id = ? AND status IN (${expect.map(() => "?").join(",")})`,
    ).bind(...cols.map(([, v]) => v), now, order.id, ...expect),
  ];
  if (itemPatch?.ids.length) {
    const icols = Object.entries(toColumns(itemPatch.set));
    // In chunks, so a 100-line order stays under D1's 100 bound values per statement.
    const per = 100 - icols.length - 3;
    for (const ids of chunk(itemPatch.ids, per)) {
      statements.push(
        DB.prepare(
          `UPDATE order_items SET ${icols.map(([c]) => `${c} = ?`).join(", ")} WHERE id IN (${ids.map(() => "?").join(",")}) AND ${won}`,
        ).bind(...icols.map(([, v]) => v), ...ids, order.id, now, next.status),
      );
    }
  }
  if (event) {
    statements.push(
      outboxFromSelect(
        DB,
        `SELECT ?, ?, ?, ? WHERE ${won}`,
        event.id,
        event.type,
        JSON.stringify(event),
        event.occurred_at,
        order.id,
        now,
        next.status,
      ),
    );
  }
  // `also`: the caller's rows for the same transaction (the payment record of the charge that moved it).
  const results = await DB.batch([...statements, ...also]);
  if ((results[0].meta.changes ?? 0) === 0) {
    throw new ApiError("invalid_state", `The order changed meanwhile; it is no longer ${expect.join(" or ")}`);
  }
  if (event) await dispatchEvents(home, [event]);
  return next;
}

const SNAKE: Record<string, string> = {};
/** drizzle field names to column names, values to what D1 stores (JSON as text). */
function toColumns(patch: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const col = (SNAKE[k] ??= k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
    out[col] =
      v === null
        ? null
        : typeof v === "object"
          ? JSON.stringify(v)
          : typeof v === "boolean"
            ? v
              ? 1
              : 0
            : (v as string | number);
  }
  return out;
}
