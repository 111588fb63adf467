/**
 * Analytics, the public module: the warehouse's ingestion of domain events and product views
 * (ingest.ts, views.ts) its reports (reports.ts) and the signals recommendations use (reco-signals.ts). All read the warehouse only.
 */
export * from "./ingest";
export * from "./reco-signals";
export * from "./reports";
export * from "./views";
