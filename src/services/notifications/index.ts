/**
 * Notifications, the public module: notifying users by their preferences (notify.ts), turning
 * domain events into notifications (from-events.ts), the channel providers (channels.ts), and the delivery backlog (backlog.ts).
 */
export * from "./notify";
export * from "./from-events";
export { notificationBacklog } from "./backlog";
export { listSinkMessages } from "./channels";
