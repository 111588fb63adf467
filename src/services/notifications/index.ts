/**
 * Notifications, the public module: notifying users by their preferences (notify.ts), turning
 * domain events into notifications (from-events.ts), and the channel providers (channels.ts).
 */
export * from "./notify";
export * from "./from-events";
export { listSinkMessages } from "./channels";
