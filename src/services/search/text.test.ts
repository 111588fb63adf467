import { describe, expect, it } from "vitest";
import { docTerms, mayMatch, ranker, terms, wordMatches } from "./text";

describe("search text", () => {
  it("drops stop words, folds accents and stems", () => {
    expect(terms("The Café Chairs")).toEqual(terms("cafe chair"));
    expect(terms("and the of")).toEqual([]);
  });

  it("matches equal words, a last word being typed, and one typo in words of five letters or more", () => {
    expect(wordMatches("phone", "phone", false)).toBe(true);
    expect(wordMatches("ph", "phone", true)).toBe(true);
    expect(wordMatches("ph", "phone", false)).toBe(false);
    expect(wordMatches("hedphones", "headphones", false)).toBe(true); // one letter missing
    expect(wordMatches("tabel", "table", false)).toBe(false); // a swap is two edits
    expect(wordMatches("cat", "car", false)).toBe(false); // too short for a typo
  });

  it("never rules out a word a later step could match", () => {
    expect(mayMatch("ph", "phone")).toBe(true);
    expect(mayMatch("laptpo", "laptop")).toBe(false);
    expect(mayMatch("laptp", "laptop")).toBe(true);
  });

  it("ranks a name match above a match in the category only", () => {
    const rank = ranker(terms("monitor"));
    const inName = docTerms({ name: "27 inch 4K Monitor", brand: "Dell", category_names: "Computers" });
    const inCategory = docTerms({ name: "HDMI cable", brand: "Acme", category_names: "Monitors" });
    expect(rank(inName)).toBeGreaterThan(rank(inCategory));
  });
});
