import Stripe from "stripe";

/**
 * The official Stripe SDK with its fetch HTTP client (no Node http in Workers), pointed at
 * `apiBase` (a local double in tests), for the payments and tax adapters.
 */
export function stripeClient(secretKey: string, apiBase = "https://api.stripe.com", fetchFn?: typeof fetch): Stripe {
  const url = new URL(apiBase);
  return new Stripe(secretKey, {
    httpClient: Stripe.createFetchHttpClient(fetchFn),
    host: url.hostname,
    port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
    protocol: url.protocol.replace(":", "") as "http" | "https",
    maxNetworkRetries: 1,
    timeout: 10_000,
  });
}
