import { formatMinorUnits } from "../../lib/money";
import type { DomainEvent } from "../events";
import type { OrderEventPayload } from "../orders";
import { wishlistersOf } from "../wishlist";
import type { Kind } from "./kinds";
import { notify, notifyMany, type NotifyInput } from "./notify";

/**
 * Turns domain events into notifications (the events queue's "notifier"
 * subscriber). Dedupe keys come from the event, so a redelivery sends nothing.
 */
const ORDER_KINDS: Record<
  string,
  { kind: Kind; title: (o: OrderEventPayload) => string; body: (o: OrderEventPayload) => string }
> = {
  "order.paid": {
    kind: "order_paid",
    title: () => "Payment received",
    body: (o) =>
      `We received ${`$${formatMinorUnits(o.total_amount)}`} for order ${o.order_id}. We'll let you know when it ships.`,
  },
  "order.shipped": {
    kind: "order_shipped",
    title: () => "Your order has shipped",
    body: (o) =>
      `Order ${o.order_id} is on its way.${o.tracking_number ? ` Tracking number: ${o.tracking_number}.` : ""}`,
  },
  "order.delivered": {
    kind: "order_delivered",
    title: () => "Delivered",
    body: (o) => `Order ${o.order_id} was delivered. Enjoy, and tell others what you think.`,
  },
  "order.cancelled": {
    kind: "order_cancelled",
    title: () => "Order cancelled",
    body: (o) => `Order ${o.order_id} was cancelled.`,
  },
  "order.refunded": {
    kind: "refund_issued",
    title: () => "Refund issued",
    body: (o) => `We refunded ${`$${formatMinorUnits(o.refund_amount ?? 0)}`} on order ${o.order_id}.`,
  },
};

/** The buyer's notification for an order event, or null for any other event. */
function orderNotice(event: DomainEvent): NotifyInput | null {
  const order = ORDER_KINDS[event.type];
  if (!order) return null;
  const o = event.data as OrderEventPayload;
  return {
    userId: o.user_id,
    kind: order.kind,
    title: order.title(o),
    body: order.body(o),
    data: { order_id: o.order_id, status: o.status, tracking_number: o.tracking_number ?? null },
    dedupeKey: `event:${event.id}`,
  };
}

/** A queue batch of events: the order notices of all of them in one go (notifyMany), the rest one by one. */
export async function notifyFromEvents(env: Env, events: DomainEvent[]): Promise<void> {
  const notices: NotifyInput[] = [];
  for (const event of events) {
    const notice = orderNotice(event);
    if (notice) notices.push(notice);
    else await notifyFromEvent(env, event);
  }
  await notifyMany(env, notices);
}

export async function notifyFromEvent(env: Env, event: DomainEvent): Promise<void> {
  const notice = orderNotice(event);
  if (notice) {
    await notify(env, notice);
    return;
  }
  if (event.type === "user.registered") {
    const d = event.data as { user_id: string };
    await notify(env, {
      userId: d.user_id,
      kind: "welcome",
      title: "Welcome to the marketplace",
      body: "Your account is ready. Happy shopping!",
      dedupeKey: `welcome:${d.user_id}`,
    });
    return;
  }
  if (event.type === "auction.outbid") {
    const d = event.data as { product_id: string; user_id: string; name: string; current_price: number };
    await notify(env, {
      userId: d.user_id,
      kind: "auction_outbid",
      title: "You've been outbid",
      body: `Someone bid more for “${quotedProductName(d.name)}”: it is now $${formatMinorUnits(d.current_price)}. Bid again before it ends.`,
      data: { product_id: d.product_id, current_price: d.current_price },
      dedupeKey: `event:${event.id}`,
    });
    return;
  }
  if (event.type === "auction.won") {
    const d = event.data as {
      product_id: string;
      user_id: string;
      name: string;
      order_id: string;
      price: number;
      second_chance: boolean;
    };
    await notify(env, {
      userId: d.user_id,
      kind: "auction_won",
      title: d.second_chance ? "A second chance to buy" : "You won",
      body: `${d.second_chance ? "The winner did not pay: you can have" : "You won"} “${quotedProductName(d.name)}” for $${formatMinorUnits(d.price)}. Pay for order ${d.order_id} within 48 hours.`,
      data: { product_id: d.product_id, order_id: d.order_id, price: d.price },
      dedupeKey: `event:${event.id}`,
    });
    return;
  }
  if (event.type === "inventory.changed") {
    const d = event.data as {
      product_id: string;
      variant_id?: string;
      in_stock: boolean;
      was_in_stock?: boolean;
      seq: number;
    };
    // Back in stock: only on the move from none to some, once per restock (the seq names it).
    if (!d.in_stock || d.was_in_stock !== false) return;
    const { users, productName, options } = await wishlistersOf(env, d.product_id, d.variant_id);
    const which = Object.values(options).length
      ? ` in ${Object.values(options)
          .map((o) => quotedProductName(o))
          .join(" / ")}`
      : "";
    // At most one notice per user and product a day, however often a seller toggles the stock.
    const day = new Date().toISOString().slice(0, 10);
    for (const userId of users) {
      await notify(env, {
        userId,
        kind: "back_in_stock",
        title: "Back in stock",
        body: `An item on your wishlist is back in stock${which}: “${quotedProductName(productName)}”.`,
        data: { product_id: d.product_id, ...(d.variant_id ? { variant_id: d.variant_id } : {}) },
        dedupeKey: `bis:${d.product_id}:${userId}:${day}`,
      });
    }
  }
}

/**
 * A seller chooses the product name, and it goes into messages the platform sends in its own
 * voice. It is only ever quoted inside a fixed template, cut short, with anything that looks like
 * a link or an address taken out, so a name cannot turn a notice into a phishing message.
 */
export function quotedProductName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f“”"<>]/g, " ")
    .replace(/\b(?:https?:\/\/|www\.)\S*/gi, "…")
    .replace(/\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b\S*/gi, "…")
    .replace(/\S+@\S+/g, "…")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.length > 60 ? `${cleaned.slice(0, 59).trimEnd()}…` : cleaned;
}
