/** Columns a character takes on a terminal: 2 for East Asian wide and emoji, 0 for combining marks, else 1. */
export function charWidth(ch: string): number {
  if (/\p{M}/u.test(ch)) return 0;
  return /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
}
