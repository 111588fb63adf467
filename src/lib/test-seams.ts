/**
 * The one seam through which tests replace a part of the running Worker: the payment provider,
 * the email/SMS channel provider, the fetch that delivers seller webhooks, a fault at a named
 * checkout step. Production modules read a seam where the part is chosen; only the test suite's
 * setup enables setting one (test/setup.ts), so in a deployed Worker every seam is empty and
 * a stray call to set one throws instead of changing behaviour.
 */
export type SeamName = "payment-provider" | "channel-provider" | "webhook-fetch" | "checkout-fault";

const seams = new Map<SeamName, unknown>();
let enabled = false;

/** Called by the test suite's setup, never by the Worker. */
export function enableTestSeams(): void {
  enabled = true;
}

/** Sets (or with null, clears) a seam. Outside the test suite: an error. */
export function setTestSeam(name: SeamName, value: unknown): void {
  if (!enabled) throw new Error(`test seam ${name} cannot be set outside the test suite`);
  if (value === null || value === undefined) seams.delete(name);
  else seams.set(name, value);
}

/** What a test put in the seam, if anything (the common case, none: one map lookup). */
export function testSeam<T>(name: SeamName): T | undefined {
  return seams.size === 0 ? undefined : (seams.get(name) as T | undefined);
}
