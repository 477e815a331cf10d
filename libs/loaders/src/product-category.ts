/** Words that count: letters only, at least three of them. */
const CATEGORY_WORD = /^[A-Z]{3,}$/;

/**
 * A coarse product type from a free-text description: its last word of three
 * or more letters, uppercased, e.g. `'WHITE METAL LANTERN'` gives `'LANTERN'`.
 * Numbers, sizes (`45x45cm`), prices and punctuation are skipped; '' if none.
 */
export function productCategory(description: string): string {
  const words = description
    .toUpperCase()
    .replaceAll("'", '')
    .split(/[^A-Z0-9]+/);
  return words.findLast((word) => CATEGORY_WORD.test(word)) ?? '';
}
