import type { notifications } from "../../db/schema/notifications";

/** The channels and kinds of notification, each kind's default channels, and a notification's API shape. */

/**
 * Notifications: events become notifications by each user's preferences. In-app
 * notifications are stored and shown by GET /notifications; email and SMS go
 * through the NOTIFICATIONS queue to a channel provider, with the send recorded
 * (sent / failed, attempts). Every notification has a dedupe key (its cause and
 * channel), so a redelivered event sends nothing twice.
 */

export const CHANNELS = ["in_app", "email", "sms"] as const;

export type Channel = (typeof CHANNELS)[number];

export const KINDS = [
  "welcome",
  "order_paid",
  "order_shipped",
  "order_delivered",
  "order_cancelled",
  "refund_issued",
  "back_in_stock",
  "abandoned_cart",
  "promotion",
  "admin_message",
  "account_security",
  "return_update",
  "auction_outbid",
  "auction_won",
] as const;

export type Kind = (typeof KINDS)[number];

/** Channels per kind when the user has not chosen. Promotions are opt-in. */
export const DEFAULT_CHANNELS: Record<Kind, Channel[]> = {
  welcome: ["in_app", "email"],
  order_paid: ["in_app", "email"],
  order_shipped: ["in_app", "email"],
  order_delivered: ["in_app", "email"],
  order_cancelled: ["in_app", "email"],
  refund_issued: ["in_app", "email"],
  back_in_stock: ["in_app", "email"],
  abandoned_cart: ["in_app", "email"],
  promotion: [],
  admin_message: ["in_app"],
  // Verification and reset links: always email, never muted (the sender forces the channel).
  account_security: ["email"],
  return_update: ["in_app", "email"],
  auction_outbid: ["in_app", "email"],
  auction_won: ["in_app", "email"],
};

export const MAX_SEND_ATTEMPTS = 5;

type NotificationRow = typeof notifications.$inferSelect;

export function toNotification(n: NotificationRow) {
  return {
    notification_id: n.id,
    user_id: n.userId,
    type: n.channel,
    kind: n.kind,
    title: n.title,
    body: n.body,
    data: n.data,
    status: n.status,
    read: n.readAt !== null,
    read_at: n.readAt,
    created_at: n.createdAt,
  };
}
