/**
 * Template code without its constants, so that templates written alike share one compiled
 * function.
 *
 * Two models that differ in their SQL text, in the names they ref and in the lines their
 * tags are on compile to JavaScript that differs only in string and number constants. When
 * nunjucks generates code for tsql's compile (compileLifted in compile-entry.ts), each such
 * constant is written as `tsql_k[i]` and kept, in order, in a list of the template's own:
 * the text copied from the template, string and number literals, and the source positions
 * nunjucks tracks for its errors (`lineno = 3, colno = 7`). What is left is the template's
 * shape: code that templates of the same structure have in common, which V8 then compiles
 * once (template-cache.ts) and each template calls with its own constants.
 *
 * A constant is moved only where an expression is expected, so the code means exactly what it
 * meant: a template whose code has a constant left in it simply shares its shape with fewer
 * others. Object keys (a dict literal's, keyword arguments') stay where they are.
 */
import { nj, type Any } from './nunjucks-internals.js';
import { digest } from '../../util/digest.js';

/** The generated code's name for the template's constants. */
export const CONSTANTS = 'tsql_k';

/** A shape's id: a hash of its code. (Hashing a fresh code string costs less than looking it up in a map of those seen: V8 hashes the whole string for the lookup too.) */
export function shapeId(code: string): string {
  return digest('sha1', code, 'base64url');
}

/** A constant that JSON keeps exactly (the list is stored in the template code cache). */
function storable(v: unknown): boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0));
}

/** Source positions nunjucks writes into the code for its error messages, as whole emitted fragments. */
const POSITIONS: Array<[RegExp, (c: (n: string) => string, m: RegExpExecArray) => string]> = [
  [/^var (lineno|colno) = (\d+);\n$/, (c, m) => `var ${m[1]} = ${c(m[2])};\n`],
  [/^\(lineno = (\d+), colno = (\d+), (.*)$/s, (c, m) => `(lineno = ${c(m[1])}, colno = ${c(m[2])}, ${m[3]}`],
  [/^lineno = (\d+); colno = (\d+);\n$/, (c, m) => `lineno = ${c(m[1])}; colno = ${c(m[2])};\n`],
  [/^,(\d+),(\d+)\)$/, (c, m) => `,${c(m[1])},${c(m[2])})`],
];

/** Patches nunjucks' Compiler prototype `C` (once, process-wide); a compiler lifts only when `tsqlConstants` is set on it. */
export function patchLiftedConstants(C: Any): void {
  const { nodes } = nj;

  /** Code for `value`: a reference to the template's constants, or the constant itself when the compiler does not lift. */
  C.tsqlConst = function (this: Any, value: unknown, inline: string): string {
    const list: unknown[] | undefined = this.tsqlConstants;
    if (!list || !storable(value)) return inline;
    list.push(value);
    return `${CONSTANTS}[${list.length - 1}]`;
  };

  const origLiteral = C.compileLiteral;
  C.compileLiteral = function (this: Any, node: Any, frame: Any) {
    if (!this.tsqlConstants || !storable(node.value)) return origLiteral.call(this, node, frame);
    this._emit(this.tsqlConst(node.value, ''));
  };

  // A key in an object literal must stay a literal.
  const origPair = C.compilePair;
  C.compilePair = function (this: Any, node: Any, frame: Any) {
    const key = node.key;
    if (!this.tsqlConstants || !(key instanceof nodes.Symbol || (key instanceof nodes.Literal && typeof key.value === 'string'))) return origPair.call(this, node, frame);
    this._emit(`${JSON.stringify(key.value)}: `);
    this._compileExpression(node.value, frame);
  };

  // Each of POSITIONS' fragments has its own start (`var lineno = `/`var colno = `, `(lineno = `,
  // `lineno = `, `,` and a digit): a fragment is tried against the one pattern its start allows,
  // and most fragments (no such start) against none. Code generation emits ~100 fragments a template.
  const patternFor = (code: string): (typeof POSITIONS)[number] | undefined => {
    switch (code.charCodeAt(0)) {
      case 118: // v
        return code.startsWith('var lineno = ') || code.startsWith('var colno = ') ? POSITIONS[0] : undefined;
      case 40: // (
        return code.startsWith('(lineno = ') ? POSITIONS[1] : undefined;
      case 108: // l
        return code.startsWith('lineno = ') ? POSITIONS[2] : undefined;
      case 44: {
        // ,
        const d = code.charCodeAt(1);
        return d >= 48 && d <= 57 ? POSITIONS[3] : undefined;
      }
      default:
        return undefined;
    }
  };
  const origEmit = C._emit;
  C._emit = function (this: Any, code: string) {
    if (this.tsqlConstants && code.length < 80) {
      const pattern = patternFor(code);
      const m = pattern && pattern[0].exec(code);
      if (m) return origEmit.call(this, pattern[1]((n) => this.tsqlConst(Number(n), n), m));
    }
    return origEmit.call(this, code);
  };
}
