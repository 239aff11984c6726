/**
 * Code generation once per template skeleton, instead of once per template.
 *
 * With its constants lifted (lifted-constants.ts), the code nunjucks generates for a
 * template depends only on the template's tokens, and on few of their values: templates
 * written alike differ in their slots (the text between tags, string and number literals)
 * and in where each token is (the line and column nunjucks keeps for its errors), and those
 * reach the code only as constants. Still, finding that shared code took nunjucks' parser
 * and code generator for every template, ~0.1 ms each: most of a cold compile of a large
 * project. So a template is lexed, and its skeleton (each token's type and value, its slots
 * left out) is looked up; for a skeleton met before, the code is the one made for it, and each
 * constant is read from the template's own tokens by the skeleton's recipe. Nothing is parsed.
 *
 * The first template of a skeleton is compiled from its tokens, as before (most skeletons of a
 * project of varied templates are never met again). A recipe comes from compiling the second
 * once more, as a probe, whose slots hold markers: token k's string is `\uE000Sq<k>\uE001`, its text ` \uE000Dq<k>\uE001 ` (the
 * spaces show how the parser trimmed it), its number and its line and column numbers in
 * ranges no template reaches (k·1000 above a base per kind). Each constant of the probe's
 * code is then either a marker, read from token k of each later template (its text, number,
 * line or column, the text trimmed as the marker was, or the length of that), or a value no
 * marker reached, kept as it is. Whatever code generation did to a slot other than passing it
 * through shows:
 * - a marker written into the code itself (a dict key, a name in an error message) or into a
 *   longer constant: that slot's value becomes part of the skeleton ("pinned") and the probe is
 *   made again with it;
 * - a marker number that changed (arithmetic on a position), or the probe's tokenizer asked
 *   for its own position: templates of that skeleton are compiled one by one, as before.
 * What code generation checks without writing it is part of the skeleton from the start: a
 * string the sandbox refuses (`constructor` …), and blank text between tags (the parser may
 * trim it to nothing, and then no code is written for it).
 *
 * Templates that read their source past the tokens (`{% raw %}`, `{% verbatim %}`), need
 * nunjucks' transformer (`{% block %}`), or hold a marker's characters are compiled as before.
 * test/unit/template-skeletons.test.ts compiles every template of the repository, and
 * mutations of them, both ways, and compares the code and the constants.
 */
import { nj, type Any } from './nunjucks-internals.js';
import { isBlockedName } from './sandbox.js';
import { shapeId } from './lifted-constants.js';
import type { CompileSettings } from './compile-entry.js';

interface Token {
  type: string;
  value: Any;
  lineno: number;
  colno: number;
}

/** A template's generated code without its constants, and the constants. */
export interface LiftedCode {
  code: string;
  constants: unknown[];
  /** the shape's id (lifted-constants.ts: shapeId), when known */
  shape?: string;
}

const OPEN = '\uE000';
const CLOSE = '\uE001';
/** Token k's markers are k·STEP above their kind's base; a template has fewer than MAX_TOKENS tokens. */
const STEP = 1000;
const MAX_TOKENS = 100_000;
// Bases below 2^31: output marks write positions as `lineno | 0`.
const LINE = 1_100_000_000;
const COL = 1_200_000_000;
const INT = 1_300_000_000;
const FLOAT = 1_400_000_000;
const LENGTH = 1_500_000_000;
const RANGE = 100_000_000;
/** Digits that could be a marker number (in the code, or a template's own text). */
const MARKER_DIGITS = /1[1-5]\d{8}/;
const MARKER_NUMBERS = /(?<![\d.])1[1-5]\d{8}(?:\.5)?(?![\d.])/g;
const MARKER_TEXT = /( ?)\uE000([SD])q(\d+)\uE001( ?)/g;
const EXACT_MARKER = /^( ?)\uE000([SD])q(\d+)\uE001( ?)$/;
/** Tags whose body the parser reads from the source text, not as tokens. */
const RAW_TAG = /\{%[-+]?\s*(?:raw|verbatim)\b/;
/** The only construct of a sync template nunjucks' transformer rewrites (compile-entry.ts). */
const BLOCK_TAG = /\{%[-+]?\s*block\b/;
const BLANK = /^\s*$/;

/** How each constant of a template is read from its tokens (token k, with flags: bit 1 the text's start trimmed, bit 2 its end). */
const enum Op {
  Fixed,
  Line,
  Col,
  Str,
  Int,
  Float,
  Text,
  Length,
}

interface Recipe {
  code: string;
  shape: string;
  /** [op, k, flags] per constant; for Op.Fixed, k indexes `fixed` */
  ops: number[];
  fixed: unknown[];
}

interface Skeleton {
  /** slots whose values are part of the key after all: code generation writes them into the code */
  pins: number[];
  /** the code holds the template's name (`{% import %}`, `{% include %}`) */
  named: boolean;
  /** recipes by the pinned values (and name); null: compiled one by one */
  recipes: Map<string, Recipe | null>;
}

/** A probe that found values its code depends on: probe again with them pinned. */
interface Repin {
  pins: number[];
  named: boolean;
}

type TokenType = string;
const { lexer } = nj;
/** Slots: values the skeleton leaves out. Whitespace inside tags too: the parser skips it, and only where later tokens are depends on it. */
const SLOT_TYPES = new Set<TokenType>([lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_DATA, lexer.TOKEN_WHITESPACE]);

/** Whether token `t` is a slot: a value the skeleton leaves out. */
function isSlot(t: Token): boolean {
  if (!SLOT_TYPES.has(t.type)) return false;
  if (t.type === lexer.TOKEN_STRING) return !isBlockedName(t.value);
  if (t.type === lexer.TOKEN_DATA) return !BLANK.test(t.value);
  return true;
}

/** One character per token type, for short keys (V8 hashes the whole key to look it up). */
const TYPE_CODES = new Map<TokenType, string>(
  Object.keys(lexer)
    .filter((k) => k.startsWith('TOKEN_'))
    .map((k, i) => [lexer[k] as TokenType, String.fromCharCode(65 + i)]),
);

/**
 * A token's value as the skeleton's key writes it: a regex literal's is an object, and of a
 * comment only its whitespace control counts (the parser reads nothing else of it, and no code
 * comes from it), so models that differ in their comments share a skeleton.
 */
function keyValue(t: Token): string {
  if (t.type === lexer.TOKEN_REGEX) return `${t.value.body}/${t.value.flags}`;
  if (t.type === lexer.TOKEN_COMMENT) {
    const v = String(t.value);
    return `${v.startsWith('{#-') ? '-' : ''}#${v.endsWith('-#}') ? '-' : ''}`;
  }
  return String(t.value);
}

/** The skeleton's key: each token's type, and its value unless it is a slot. */
function skeletonKey(tokens: Token[]): string {
  let key = '';
  for (const t of tokens) {
    const code = TYPE_CODES.get(t.type) ?? `?${t.type}?`;
    if (isSlot(t)) key += code;
    else {
      const v = keyValue(t);
      key += `${code}${v.length}:${v}`;
    }
  }
  return key;
}

/** A 52-bit hash of the skeleton's key, without making the key (two 32-bit FNV-1a hashes). */
function skeletonHash(tokens: Token[]): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  const mix = (c: number) => {
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 2246822519) ^ (b >>> 15);
  };
  for (const t of tokens) {
    const code = TYPE_CODES.get(t.type);
    mix(code === undefined ? 0 : code.charCodeAt(0));
    if (isSlot(t)) continue;
    const v = keyValue(t);
    mix(v.length);
    for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i));
  }
  return (a >>> 0) * 2 ** 20 + (b >>> 12);
}

function pinKey(sk: Skeleton, tokens: Token[], name: string): string {
  if (!sk.pins.length && !sk.named) return '';
  let key = sk.named ? `${String(name).length}:${String(name)}` : '';
  for (const k of sk.pins) {
    const v = String(tokens[k].value);
    key += `|${v.length}:${v}`;
  }
  return key;
}

/** The parser's view of a list of tokens already made. Position and source reads fail: a probe must not depend on them. */
class TokenList {
  private i = 0;
  constructor(
    private readonly list: Token[],
    readonly tags: Any,
  ) {}
  nextToken(): Token | null {
    return this.list[this.i++] ?? null;
  }
  get lineno(): never {
    throw new Error('the parser read the tokenizer position');
  }
  get colno(): never {
    throw new Error('the parser read the tokenizer position');
  }
  _extractRegex(): never {
    throw new Error('the parser read the source text');
  }
  backN(): never {
    throw new Error('the parser read the source text');
  }
}

/** Code and constants of templates by skeleton, for one environment's settings. */
export class TemplateSkeletons {
  /** hashes of the skeletons met (skeletonHash) */
  private readonly metOnce = new Set<number>();
  /** skeletons met more than once, by key: their recipes, or null (their templates are compiled one by one) */
  private readonly skeletons = new Map<string, Skeleton | null>();

  constructor(private readonly env: CompileSettings) {}

  /** The lifted code of `src` (already preprocessed), or undefined when it must be compiled on its own. */
  compile(src: string, name: string): LiftedCode | undefined {
    const { opts, asyncFilters, extensionsList } = this.env;
    if (asyncFilters.length || opts.tags || opts.trimBlocks || opts.lstripBlocks) return undefined;
    let source = src;
    for (const ext of extensionsList) if (ext.preprocess) source = ext.preprocess(source);
    if (source.includes(OPEN) || source.includes(CLOSE) || RAW_TAG.test(source) || BLOCK_TAG.test(source) || MARKER_DIGITS.test(source)) return undefined;
    let tokens: Token[];
    let tags: Any;
    try {
      const t = lexer.lex(source, opts);
      tags = t.tags;
      tokens = [];
      for (let tok = t.nextToken(); tok; tok = t.nextToken()) {
        tokens.push(tok);
        if (tokens.length >= MAX_TOKENS) return undefined;
      }
    } catch {
      return undefined; // nunjucks' own compile reports it
    }
    // Met once: compiled on its own. A recipe is made when a second template has the skeleton (in
    // a project of varied templates most skeletons are never met again). Skeletons met once are
    // remembered by a hash, not by their key (~1 KB each, kept for the whole compile); two
    // skeletons with one hash only cost a probe, as the key is compared from then on.
    const hash = skeletonHash(tokens);
    if (!this.metOnce.has(hash)) {
      this.metOnce.add(hash);
      return this.fromTokens(tokens, tags, name);
    }
    const key = skeletonKey(tokens);
    let sk = this.skeletons.get(key);
    if (sk === null) return this.fromTokens(tokens, tags, name);
    if (sk === undefined) this.skeletons.set(key, (sk = { pins: [], named: false, recipes: new Map() }));
    let pk = pinKey(sk, tokens, name);
    let recipe = sk.recipes.get(pk);
    if (recipe === undefined) {
      let made = this.probe(tokens, tags, name, sk);
      // Pins are found on a skeleton's first probe; needing more later means its code depends on values some other way.
      for (let round = 0; made && 'pins' in made; round++) {
        if (sk.recipes.size || round >= 4) {
          this.skeletons.set(key, null);
          return this.fromTokens(tokens, tags, name);
        }
        sk.pins = made.pins;
        sk.named = made.named;
        pk = pinKey(sk, tokens, name);
        made = this.probe(tokens, tags, name, sk);
      }
      recipe = made ?? null;
      sk.recipes.set(pk, recipe);
    }
    const constants = recipe && constantsOf(recipe, tokens);
    return recipe && constants ? { code: recipe.code, constants, shape: recipe.shape } : this.fromTokens(tokens, tags, name);
  }

  /** nunjucks' parser and code generator on tokens already made (no second lexing); undefined on any error, which nunjucks' own compile then reports. */
  private fromTokens(tokens: Token[], tags: Any, name: string): LiftedCode | undefined {
    const constants: unknown[] = [];
    try {
      return { code: this.generate(tokens, tags, name, constants), constants };
    } catch {
      return undefined;
    }
  }

  /** The code nunjucks generates for `tokens`, its constants lifted into `constants`. Throws on errors. */
  private generate(tokens: Token[], tags: Any, name: string, constants: unknown[], textLength?: (node: Any) => number): string {
    const parser = new nj.parser.Parser(new TokenList(tokens, tags));
    parser.extensions = this.env.extensionsList;
    const compiler = new nj.compiler.Compiler(name, this.env.opts.throwOnUndefined);
    compiler.tsqlConstants = constants;
    if (textLength) compiler.tsqlTextLength = textLength;
    compiler.compile(parser.parseAsRoot());
    return compiler.getCode();
  }

  /** Compiles the probe of a skeleton: its recipe, the pins it needs, or undefined when its templates must be compiled one by one. */
  private probe(tokens: Token[], tags: Any, name: string, sk: Skeleton): Recipe | Repin | undefined {
    const pinned = new Set(sk.pins);
    const probeTokens = tokens.map((t, k): Token => {
      let value = t.value;
      if (!pinned.has(k) && isSlot(t)) {
        if (t.type === lexer.TOKEN_STRING) value = `${OPEN}Sq${k}${CLOSE}`;
        else if (t.type === lexer.TOKEN_DATA) value = ` ${OPEN}Dq${k}${CLOSE} `;
        // a marker no recipe reads: should code generation ever use it, the skeleton is left to nunjucks
        else if (t.type === lexer.TOKEN_WHITESPACE) value = ` ${OPEN}Wq${k}${CLOSE} `;
        else if (t.type === lexer.TOKEN_INT) value = String(INT + k * STEP);
        else value = `${FLOAT + k * STEP}.5`;
      }
      return { type: t.type, value, lineno: LINE + k * STEP, colno: COL + k * STEP };
    });
    const probeName = sk.named ? name : `${OPEN}N${CLOSE}`;
    const constants: unknown[] = [];
    let code: string;
    try {
      code = this.generate(probeTokens, tags, probeName, constants, probeTextLength);
    } catch {
      return undefined; // a template with an error: nunjucks' own compile reports it
    }
    if (/ue00[01]/i.test(code)) return undefined;
    const needed = new Set(sk.pins);
    let named = sk.named || code.includes(probeName);
    if (!pinsIn(code, probeName, needed) || !numberPinsIn(code, tokens, needed)) return undefined;
    const ops: number[] = [];
    const fixed: unknown[] = [];
    for (const v of constants) {
      if (typeof v === 'string' && v.includes(OPEN)) {
        const m = EXACT_MARKER.exec(v);
        const k = m ? Number(m[3]) : -1;
        if (m && m[2] === 'S' && !m[1] && !m[4] && tokens[k]?.type === lexer.TOKEN_STRING) ops.push(Op.Str, k, 0);
        else if (m && m[2] === 'D' && tokens[k]?.type === lexer.TOKEN_DATA) ops.push(Op.Text, k, (m[1] ? 0 : 1) | (m[4] ? 0 : 2));
        else {
          if (v.includes(probeName)) named = true;
          if (!pinsIn(v, probeName, needed)) return undefined;
        }
      } else if (typeof v === 'number' && v >= LINE && v < LENGTH + RANGE) {
        const op = decodeNumber(v, tokens);
        if (!op) return undefined;
        ops.push(...op);
      } else {
        ops.push(Op.Fixed, fixed.length, 0);
        fixed.push(v);
      }
    }
    if (needed.size > sk.pins.length || named !== sk.named) return { pins: [...needed].sort((a, b) => a - b), named };
    return { code, shape: shapeId(code), ops, fixed };
  }
}

/**
 * Adds to `pins` the tokens whose markers `text` holds (code, or a constant made from more
 * than one token's value); false if it holds a marker's characters otherwise (a marker cut or
 * changed: no pin would make the code right).
 */
function pinsIn(text: string, probeName: string, pins: Set<number>): boolean {
  if (!text.includes(OPEN) && !text.includes(CLOSE)) return true;
  for (const m of text.matchAll(MARKER_TEXT)) pins.add(Number(m[3]));
  const rest = text.replace(MARKER_TEXT, '').split(probeName).join('');
  return !rest.includes(OPEN) && !rest.includes(CLOSE);
}

/**
 * Adds to `pins` the number literals whose markers the code holds (a subscript in the name of
 * a call, `x[0]()`); false if it holds another marker number (a position: no pin would help).
 */
function numberPinsIn(code: string, tokens: Token[], pins: Set<number>): boolean {
  for (const m of code.matchAll(MARKER_NUMBERS)) {
    const op = decodeNumber(Number(m[0]), tokens);
    if (!op || (op[0] !== Op.Int && op[0] !== Op.Float)) return false;
    pins.add(op[1]);
  }
  return !MARKER_DIGITS.test(code.replace(MARKER_NUMBERS, ''));
}

/** A marker number's op, or undefined for a number made from one (arithmetic on a position). */
function decodeNumber(v: number, tokens: Token[]): [number, number, number] | undefined {
  const base = Math.floor(v / RANGE) * RANGE;
  const rest = v - base;
  const k = Math.floor(rest / STEP);
  const extra = rest - k * STEP;
  if (k >= tokens.length) return undefined;
  const type = tokens[k].type;
  if (base === LINE && extra === 0) return [Op.Line, k, 0];
  if (base === COL && extra === 0) return [Op.Col, k, 0];
  if (base === INT && extra === 0 && type === lexer.TOKEN_INT) return [Op.Int, k, 0];
  if (base === FLOAT && extra === 0.5 && type === lexer.TOKEN_FLOAT) return [Op.Float, k, 0];
  if (base === LENGTH && Number.isInteger(extra) && extra >= 0 && extra <= 3 && type === lexer.TOKEN_DATA) return [Op.Length, k, extra];
  return undefined;
}

/** What output marks record as the length of a text in a probe: a marker saying which token's text, trimmed how. */
function probeTextLength(node: Any): number {
  const m = EXACT_MARKER.exec(String(node.value));
  if (!m || m[2] !== 'D') return String(node.value).length;
  return LENGTH + Number(m[3]) * STEP + ((m[1] ? 0 : 1) | (m[4] ? 0 : 2));
}

/** Token text trimmed as the parser trims it next to `-` tags. */
function trimmed(text: string, flags: number): string {
  let s = text;
  if (flags & 1) s = s.replace(/^\s*/, '');
  if (flags & 2) s = s.replace(/\s*$/, '');
  return s;
}

/** A number JSON keeps exactly (the template cache stores constants as JSON). */
const storable = (n: number) => Number.isFinite(n) && !Object.is(n, -0);

/** A template's constants by its skeleton's recipe; undefined if one cannot be stored. */
function constantsOf(recipe: Recipe, tokens: Token[]): unknown[] | undefined {
  const { ops, fixed } = recipe;
  const out = new Array<unknown>(ops.length / 3);
  for (let i = 0, j = 0; i < ops.length; i += 3, j++) {
    const k = ops[i + 1];
    switch (ops[i]) {
      case Op.Fixed:
        out[j] = fixed[k];
        break;
      case Op.Line:
        out[j] = tokens[k].lineno;
        break;
      case Op.Col:
        out[j] = tokens[k].colno;
        break;
      case Op.Str:
        out[j] = tokens[k].value;
        break;
      case Op.Int:
      case Op.Float: {
        const n = ops[i] === Op.Int ? parseInt(tokens[k].value, 10) : parseFloat(tokens[k].value);
        if (!storable(n)) return undefined;
        out[j] = n;
        break;
      }
      case Op.Text:
        out[j] = trimmed(tokens[k].value, ops[i + 2]);
        break;
      case Op.Length:
        out[j] = trimmed(tokens[k].value, ops[i + 2]).length;
        break;
    }
  }
  return out;
}
