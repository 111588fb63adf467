import { index as oramaIndex } from "@orama/orama/components";
import { terms } from "./documents";

/**
 * Orama's full-text `search` step, replaced through its `components.index`
 * hook (Orama still tokenises, stores, filters, sorts, pages and counts facets).
 *
 * Why: Orama 3 scores every match with BM25 and collects each word's postings
 * with an `includes` check per document (quadratic in a common word's
 * postings: ~8 ms for "phone" in a 6k-document shard), and treats every query
 * word as a prefix. Shoppers' relevance is computed by `score` (the same for
 * every shard count) anyway, so this step only has to find the matching
 * documents and score each once:
 * - words are looked up in the radix trees directly, taking each node's
 *   posting set as it stands (linear);
 * - every query word must match, in any of the searched fields, smallest
 *   posting set first, so the intersection costs the rarest word; or, on the
 *   fallback steps, all but `missing` of the words (documents matching more
 *   words are found first, instead of everything holding any one word);
 * - only the last word may be a prefix (it may still be being typed), and only
 *   when it is not a word of the index itself ("gal" finds "galaxy", "pro" is
 *   just "pro"); typo tolerance applies to words of 5+ letters.
 */

interface RadixNode {
  /** Edge label from the parent. */
  s: string;
  /** The whole word at this node. */
  w: string;
  /** Ends a word. */
  e: boolean;
  c: Map<string, RadixNode>;
  d: Set<number>;
  find(p: { term: string; exact: boolean; tolerance: number }): Record<string, number[]>;
}

interface IndexData {
  indexes: Record<string, { node: RadixNode; type: string }>;
  sharedInternalDocumentStore: { internalIdToId: string[] };
}

/** The posting sets of `term` (exact) or of every word starting with it (prefix). */
function postings(root: RadixNode, term: string, prefix: boolean): Set<number>[] {
  let node = root;
  let i = 0;
  while (i < term.length) {
    const child = node.c.get(term[i]);
    if (!child) return [];
    const label = child.s;
    let j = 0;
    while (j < label.length && i + j < term.length && label[j] === term[i + j]) j++;
    if (j === label.length) {
      node = child;
      i += j;
    } else if (prefix && i + j === term.length) {
      node = child; // the term ends inside this edge: every word below starts with it
      break;
    } else return [];
  }
  if (!prefix) return node.e && node.w === term && node.d.size ? [node.d] : [];
  const out: Set<number>[] = [];
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.e && n.d.size) out.push(n.d);
    for (const c of n.c.values()) stack.push(c);
  }
  return out;
}

/** Fields a typo may be forgiven in: not the description, whose long tail of words makes the walk slow and the matches noise. */
const TYPO_FIELDS = new Set(["name", "brand", "category_names"]);

/**
 * The posting lists of documents holding query word `term` in any of `props`
 * (a document may be in several lists). A word found as written is taken as
 * written; only a word found nowhere is completed (the last word, as a prefix)
 * or forgiven a typo (words of 5+ letters, on the typo steps).
 */
function wordPostings(
  data: IndexData,
  props: string[],
  term: string,
  prefix: boolean,
  tolerance: number,
): Iterable<number>[] {
  const trees = props.map((p) => [p, data.indexes[p]] as const).filter(([, t]) => t && t.type === "Radix");
  const exact = trees.flatMap(([, t]) => postings(t.node, term, false));
  if (exact.length) return exact;
  if (prefix) {
    const completed = trees.flatMap(([, t]) => postings(t.node, term, true));
    if (completed.length) return completed;
  }
  if (tolerance === 0) return [];
  const lists: number[][] = [];
  for (const [prop, tree] of trees) {
    if (!TYPO_FIELDS.has(prop)) continue;
    const found = tree.node.find({ term, exact: false, tolerance });
    for (const w in found) lists.push(found[w]);
  }
  return lists;
}

/**
 * Set up per query with its words (none: the query only browses with
 * filters). Says how many of the words a match may miss, and visits each
 * matching document (external id), returning its score, higher first, or
 * null to leave the document out.
 */
export type Visitor = (queryTerms: string[]) => { missing: number; visit: (id: string) => number | null };

type SearchFn = ReturnType<typeof oramaIndex.createIndex>["search"];

/** At most this many distinct query words are matched (the per-document counters are bytes); the rest are ignored. */
const MAX_QUERY_WORDS = 32;

export function matchingIndex(visitor: Visitor) {
  const search = ((
    data: IndexData,
    term: string,
    _tokenizer: unknown,
    _language: unknown,
    props: string[],
    _exact: boolean,
    tolerance: number,
    _boost: unknown,
    _relevance: unknown,
    _docsCount: number,
    whereIds: Set<number> | undefined,
  ): [number, number][] => {
    const toId = data.sharedInternalDocumentStore.internalIdToId;
    const queryTerms = [...new Set(terms(term))].slice(0, MAX_QUERY_WORDS);
    const { missing, visit } = visitor(queryTerms);
    let candidates: Iterable<number>;
    if (queryTerms.length === 0) {
      if (term.trim()) return []; // only stop words
      candidates = whereIds ?? Array.from(toId, (_, i) => i + 1);
    } else {
      const lists = queryTerms.map((t, i) =>
        wordPostings(data, props, t, i === queryTerms.length - 1 && t.length >= 2, t.length >= 5 ? tolerance : 0),
      );
      const need = Math.max(1, queryTerms.length - missing);
      if (lists.filter((l) => l.length > 0).length < need) return [];
      // Per document: the last query word counted for it (seen) and how many words it holds (words);
      // typed arrays indexed by internal id, so matching allocates nothing per document.
      const seen = new Uint8Array(toId.length + 1);
      const words = new Uint8Array(toId.length + 1);
      const found: number[] = [];
      lists.forEach((word, i) => {
        const mark = i + 1;
        for (const list of word) {
          for (const id of list) {
            if (seen[id] === mark) continue;
            seen[id] = mark;
            if (++words[id] === need) found.push(id);
          }
        }
      });
      candidates = found;
    }
    const out: [number, number][] = [];
    for (const id of candidates) {
      if (whereIds && !whereIds.has(id)) continue;
      const score = visit(toId[id - 1]);
      if (score !== null) out.push([id, score]);
    }
    return out;
  }) as unknown as SearchFn;
  return { ...oramaIndex.createIndex(), search };
}
