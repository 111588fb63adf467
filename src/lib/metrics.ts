/**
 * Metrics to Workers Analytics Engine (binding METRICS): one data point per
 * request (route, method, status, latency) and per business outcome (checkout
 * paid / declined / failed). Queried with Analytics Engine SQL for dashboards and
 * the alert rules in docs/operations.md. Never throws: metrics must not fail a request.
 */
export function writeMetric(
  env: Partial<Pick<Env, "METRICS">>,
  kind: string,
  labels: string[],
  values: number[],
): void {
  try {
    env.METRICS?.writeDataPoint({
      indexes: [kind],
      blobs: [kind, ...labels].slice(0, 20),
      doubles: values.slice(0, 20),
    });
  } catch {
    // A full or unavailable dataset drops the point.
  }
}
