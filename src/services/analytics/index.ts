/**
 * Analytics, the public module: the warehouse's ingestion of domain events and product views
 * (ingest.ts, views.ts) and its reports (reports.ts). Reports read the warehouse only.
 */
export * from "./ingest";
export * from "./reports";
export * from "./views";
