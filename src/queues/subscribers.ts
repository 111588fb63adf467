import type { DomainEvent, EventType } from "../services/events";

/**
 * Who reacts to which domain event. Each subscriber has a stable name: the
 * events consumer records (name, event id) once handled, so a redelivered
 * event reaches each subscriber at most once after it succeeded.
 * An event type with no subscriber yet is simply acknowledged (pub/sub).
 */
export interface Subscriber {
  name: string;
  handle(event: DomainEvent, env: Env): Promise<void>;
}

export const SUBSCRIBERS: { [T in EventType]: Subscriber[] } = {
  "user.registered": [],
  "product.created": [],
  "product.updated": [],
  "product.archived": [],
  "inventory.changed": [],
  "order.created": [],
  "order.paid": [],
  "order.shipped": [],
  "order.delivered": [],
  "order.cancelled": [],
  "order.refunded": [],
};
