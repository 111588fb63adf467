import { ApiError } from "./errors";

/**
 * Which URLs the platform will call on a user's behalf (seller webhooks). A seller must not be
 * able to point us at our own network: only `https` to a public host name on the standard port,
 * no credentials in the URL, no IP literals (every IPv4 and IPv6 form; the URL parser already
 * turns `2130706433`, `0x7f.1` and `017700000001` into dotted quads), and no names that are
 * local by definition (`localhost`, `.local`, `.internal`, single labels). A name that resolves
 * to a private address is out of reach anyway: a Worker's `fetch` goes to the public internet,
 * and deliveries follow no redirects.
 *
 * `allowedHosts` (the WEBHOOK_ALLOWED_HOSTS var, unset in production) lets tests and a local
 * `npm start` register a loopback receiver such as `http://127.0.0.1:9999/hook`.
 */
const LOCAL_SUFFIXES = [
  ".localhost",
  ".local",
  ".internal",
  ".intranet",
  ".lan",
  ".home.arpa",
  ".corp",
  ".test",
  ".invalid",
  ".example",
];
const ALLOWED_PORTS = new Set(["", "443", "8443"]);

export type OutboundUrlProblem = "invalid_url" | "https_only" | "credentials" | "ip_literal" | "local_host" | "port";

export function outboundUrlProblem(raw: string, allowedHosts: readonly string[] = []): OutboundUrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "invalid_url";
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (allowedHosts.includes(host) && (url.protocol === "https:" || url.protocol === "http:")) return null;
  if (url.protocol !== "https:") return "https_only";
  if (url.username || url.password) return "credentials";
  if (host.startsWith("[") || host.includes(":") || /^[0-9.]+$/.test(host) || /^0x/i.test(host)) return "ip_literal";
  if (host === "localhost" || !host.includes(".") || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return "local_host";
  if (!ALLOWED_PORTS.has(url.port)) return "port";
  return null;
}

const MESSAGES: Record<OutboundUrlProblem, string> = {
  invalid_url: "Not a URL",
  https_only: "Only https URLs are accepted",
  credentials: "URLs may not carry a user name or password",
  ip_literal: "Use a public host name, not an IP address",
  local_host: "Use a public host name (local and private names are refused)",
  port: "Only the standard https port (443, or 8443) is accepted",
};

export function assertOutboundUrl(raw: string, allowedHostsVar: string | undefined, field = "url"): URL {
  const allowed = (allowedHostsVar ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const problem = outboundUrlProblem(raw, allowed);
  if (problem)
    throw new ApiError("validation_failed", MESSAGES[problem], {
      details: [{ field, code: problem, message: MESSAGES[problem] }],
    });
  return new URL(raw);
}
