import type { ShardHit } from "./shard-types";
import { terms, wordMatches } from "./documents";
import type { SearchParams } from "./params";

/** Ordering merged hits by the requested sort, and shaping each hit: facet tops, highlights, no variant rows. */
export function compare(sort: SearchParams["sort"]) {
  return (a: ShardHit, b: ShardHit): number => {
    const tie = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    switch (sort) {
      case "price_asc":
        return a.price - b.price || tie;
      case "price_desc":
        return b.price - a.price || tie;
      case "rating":
        return b.rating - a.rating || b.popularity - a.popularity || tie;
      case "newest":
        return b.created_at - a.created_at || tie;
      case "ending_soonest":
        return a.ends_at - b.ends_at || tie;
      default:
        return b.rank - a.rank || b.popularity - a.popularity || tie;
    }
  };
}

export function withoutVariants<P extends { variants: unknown }>({ variants: _v, ...rest }: P): Omit<P, "variants"> {
  return rest;
}

export function topValues(counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n),
  );
}

/** Wraps the words of `text` that match a query term in <mark>…</mark> (HTML-escaped). */
export function highlight(text: string, queryTerms: string[]): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  if (queryTerms.length === 0) return esc(text);
  return text
    .split(/([\p{L}\p{N}]+)/u)
    .map((part) => {
      const t = terms(part)[0];
      if (!t) return esc(part);
      const hit = queryTerms.some((q, i) => wordMatches(q, t, i === queryTerms.length - 1));
      return hit ? `<mark>${esc(part)}</mark>` : esc(part);
    })
    .join("");
}
