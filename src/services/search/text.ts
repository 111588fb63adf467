import { stemmer } from "@orama/stemmers/english";
import { stopwords } from "@orama/stopwords/english";

/** Text as search sees it: the tokenizer (stop words, stemming), typo-tolerant word matching, and the ranking score. */

const STOP = new Set(stopwords);

/** Stems by word: indexing stems the same words over and over. Bounded; cleared when full. */
const stems = new Map<string, string>();

function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= 100_000) stems.clear();
    s = stemmer(word);
    stems.set(word, s);
  }
  return s;
}

/**
 * Lower-cased, accent-free, stemmed words without stop words: the units that
 * documents are indexed in (it is the index's tokenizer) and that queries and
 * names are compared in, so matching and ranking always agree.
 */
export function terms(text: string): string[] {
  const lower = text.toLowerCase();
  // Only text with non-ASCII letters pays for Unicode normalisation.
  // eslint-disable-next-line no-control-regex
  const plain = /[^\x00-\x7f]/.test(lower) ? lower.normalize("NFD").replace(/\p{M}+/gu, "") : lower;
  const out: string[] = [];
  for (const w of plain.split(/[^\p{L}\p{N}]+/u)) if (w && !STOP.has(w)) out.push(stem(w));
  return out;
}

/** The index's tokenizer (Orama's Tokenizer interface): `terms`, each word once. */
export const searchTokenizer = {
  language: "english",
  normalizationCache: new Map<string, string>(),
  tokenize: (raw: string): string[] => [...new Set(terms(raw))],
};

/** Could a document holding `word` match query word `q` at any step (exact, prefix, one typo)? Errs towards yes. */
export function mayMatch(q: string, word: string): boolean {
  return word.startsWith(q) || (q.length >= 5 && withinOneEdit(q, word));
}

/** Edit distance of at most one (insert, delete or substitute one character). */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** Does a query word match a document word: equal, a prefix of it (typing), or one edit away for words of 5+ letters. */
export function wordMatches(queryWord: string, docWord: string, last: boolean): boolean {
  if (docWord === queryWord) return true;
  if (last && queryWord.length >= 2 && docWord.startsWith(queryWord)) return true;
  return queryWord.length >= 5 && withinOneEdit(queryWord, docWord);
}

/** A document's words, stemmed once at index time, for ranking. */
export interface DocTerms {
  /** Words of the name before " for " (what the product is). */
  name: string[];
  /** Words after " for " ("Case for Apple iPhone 7": what it fits). Absent in old snapshots. */
  nameTail?: string[];
  brand: string[];
  categories: string[];
}

export function docTerms(d: { name: string; brand: string; category_names: string }): DocTerms {
  const cut = d.name.search(/\s(for|fits|compatible with)\s/i);
  const head = cut >= 0 ? d.name.slice(0, cut) : d.name;
  const tail = cut >= 0 ? d.name.slice(cut) : "";
  return { name: terms(head), nameTail: terms(tail), brand: terms(d.brand), categories: terms(d.category_names) };
}

/**
 * The relevance score every shard computes the same way from the document
 * itself (not from shard-local term statistics), so a hit ranks the same
 * whatever the shard count. A word in what the product is (the name before
 * "for") counts most, then the brand, then what it fits (after "for") and the
 * category path; other fields that also hold the word add a little; near
 * matches (typos, a prefix being typed) count less; documents matching every
 * word come first; a short name that is mostly the query beats a long one.
 * So "samsung galaxy" ranks Galaxy phones above cases "for Samsung Galaxy",
 * and "iphone case" ranks cases above phones.
 */
/** Words that make a product an accessory of another (stemmed like everything else). */
const ACCESSORY = new Set(terms("accessory accessories adapter charger case cover cable protector mount holder skin"));

/**
 * rankDoc for one query, for scoring many documents (a shard's matches): how
 * each distinct document word matches the query words is worked out once per
 * query, as two bit masks (bit i: query word i, exactly / nearly), since the
 * matches share most of their words; per document only masks are combined.
 */
export function ranker(queryTerms: string[]): (d: DocTerms) => number {
  // Words past the 15th never count as matched (a query that long is not a shopper's).
  const n = Math.min(queryTerms.length, 15);
  const memo = new Map<string, number>();
  const masks = (x: string): number => {
    let m = memo.get(x);
    if (m === undefined) {
      let exact = 0;
      let near = 0;
      for (let i = 0; i < n; i++) {
        if (x === queryTerms[i]) exact |= 1 << i;
        else if (wordMatches(queryTerms[i], x, i === queryTerms.length - 1)) near |= 1 << i;
      }
      m = (exact << 15) | near;
      memo.set(x, m);
    }
    return m;
  };
  const wantsAccessory = queryTerms.some((t) => ACCESSORY.has(t));
  const best = new Float64Array(n);
  const also = new Float64Array(n);
  const field = (words: string[], weight: number) => {
    let exact = 0;
    let near = 0;
    for (const x of words) {
      const m = masks(x);
      exact |= m >>> 15;
      near |= m & 0x7fff;
    }
    if ((exact | near) === 0) return;
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      const w = exact & bit ? weight : near & bit ? weight * 0.8 : 0;
      if (w > best[i]) {
        also[i] += best[i] * 0.25;
        best[i] = w;
      } else also[i] += w * 0.25;
    }
  };
  return (d) => {
    best.fill(0);
    also.fill(0);
    field(d.name, 3);
    field(d.brand, 2);
    if (d.nameTail) field(d.nameTail, 1.5);
    field(d.categories, 1.5);
    let score = 0;
    let matched = 0;
    for (let i = 0; i < n; i++) {
      if (best[i] > 0) matched++;
      score += best[i] + also[i];
    }
    const nameWords = Math.max(1, d.name.length);
    // A query that names no accessory wants the thing itself: "samsung galaxy" means phones, not their adapters.
    const isAccessory =
      !wantsAccessory && (d.name.some((w) => ACCESSORY.has(w)) || d.categories.some((w) => ACCESSORY.has(w)));
    return (
      (matched === queryTerms.length ? 100 : 0) +
      score +
      Math.min(1, queryTerms.length / nameWords) -
      (isAccessory ? 1.5 : 0)
    );
  };
}
