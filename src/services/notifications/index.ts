/**
 * Notifications, the public module: the kinds and channels (kinds.ts), preferences
 * (preferences.ts), notifying users by them (notify.ts), sending (delivery.ts), the inbox
 * (inbox.ts), turning domain events into notifications (from-events.ts), the channel providers
 * (channels.ts), and the delivery backlog (backlog.ts).
 */
export * from "./kinds";
export * from "./preferences";
export * from "./notify";
export * from "./delivery";
export * from "./inbox";
export * from "./from-events";
export { notificationBacklog } from "./backlog";
export { listSinkMessages } from "./channels";
