/**
 * Analytics, the public module: the warehouse's ingestion of domain events and product views
 * (ingest.ts, views.ts), the recommendation signals it keeps (signals-ingest.ts), its reports
 * (reports.ts) and the signals recommendations read (reco-signals.ts). All read the warehouse only.
 */
export * from "./ingest";
export * from "./signals-ingest";
export * from "./reco-signals";
export * from "./reports";
export * from "./views";
export { revenueChartSvg, type DayValue } from "./chart-svg";
