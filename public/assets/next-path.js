// Where the sign-in page may send the browser afterwards: a path on this origin only.
// `next` comes from the query string, so anything else (javascript:, data:, another
// host, a protocol-relative //host, a backslash trick) falls back to the store's home.
export function safeNextPath(next, origin) {
  const fallback = "/store";
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.includes("\\"))
    return fallback;
  if (/[\u0000-\u001f\u007f]/.test(next)) return fallback;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
