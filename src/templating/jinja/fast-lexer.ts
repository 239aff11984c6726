/**
 * nunjucks' lexer reads templates one character at a time: for every character of SQL
 * between two tags it makes several method calls and grows a string by one character.
 * Most of a model is SQL text, and a compile of a large project runs these loops before V8
 * has optimized them, so they were a large part of generating template code. The same
 * scanning, done with sticky regular expressions and slices, gives the same tokens at the
 * same lines and columns.
 */
import { nj, type Any } from './nunjucks-internals.js';

/** Sticky regexes matching a run of characters in (or not in) a set, by set. */
const runsIn = new Map<string, RegExp>();
const runsNotIn = new Map<string, RegExp>();

function runOf(chars: string, inSet: boolean): RegExp {
  const runs = inSet ? runsIn : runsNotIn;
  let re = runs.get(chars);
  if (!re) {
    const set = [...chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    re = new RegExp(set ? `[${inSet ? '' : '^'}${set}]*` : inSet ? '(?:)' : '[\\s\\S]*', 'y');
    runs.set(chars, re);
  }
  return re;
}

export function patchLexer(): void {
  const T = (nj.lexer as Any).lex('', {}).constructor.prototype as Any;

  /** Moves to `end`, keeping the line and column as forward() one character at a time would. */
  T.tsqlAdvanceTo = function (this: Any, end: number): void {
    const str: string = this.str;
    const last = str.lastIndexOf('\n', end - 1);
    if (last >= this.index) {
      let lines = 0;
      for (let i = str.indexOf('\n', this.index); i >= 0 && i < end; i = str.indexOf('\n', i + 1)) lines++;
      this.lineno += lines;
      this.colno = end - last - 1;
    } else {
      this.colno += end - this.index;
    }
    this.index = end;
  };

  // The characters up to (breakOnMatch) or while in `charString`; null at the end of the text.
  T._extractMatching = function (this: Any, breakOnMatch: boolean, charString: string): string | null {
    if (this.index >= this.len) return null;
    const re = runOf(charString, !breakOnMatch);
    re.lastIndex = this.index;
    re.exec(this.str);
    const end = re.lastIndex;
    const text = this.str.slice(this.index, end);
    this.tsqlAdvanceTo(end);
    return text;
  };

  T.forwardN = function (this: Any, n: number): void {
    this.tsqlAdvanceTo(this.index + n);
  };

  T._matches = function (this: Any, s: string): boolean | null {
    if (this.index + s.length > this.len) return null;
    return this.str.startsWith(s, this.index);
  };
}
