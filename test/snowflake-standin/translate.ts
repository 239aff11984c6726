/**
 * Snowflake SQL → DuckDB SQL for the stand-in (pure; test-only).
 *
 * One pass over the parenthesis tree: unquoted identifiers fold to upper case,
 * quoted ones stay exact, string literals are re-quoted in DuckDB's plain form
 * (Snowflake's backslash escapes and $$…$$ decoded), Snowflake's functions and
 * type names are rewritten (functions.ts), `x:key` paths become JSON access,
 * `from values …` gets Snowflake's COLUMN1… names, `a / b` raises on a zero
 * divisor like Snowflake, and qualified names can be redirected by the caller
 * (temporary tables, information_schema).
 */
import { Token, quoteIdent, quoteString } from './sql-lexer.js';
import { CallContext, FUNCTIONS, mapType, typeTakesArgs } from './functions.js';
import { Group, Node, isGroup, isOp, isSig, isWord, nextSig, parseTree, prevSig, sigNodes, splitArgs } from './sql-tree.js';

export interface TranslateContext extends CallContext {
  /** A qualified name (parts as Snowflake resolves them) the caller wants replaced, e.g. a temporary table. */
  resolveName?: (parts: string[]) => string | undefined;
  /** `base:key.key2` paths; return undefined for the default JSON access. */
  path?: (base: string, keys: string[]) => string | undefined;
  /** A function call the caller rewrites itself (e.g. get_ignore_case over an external table's row). */
  call?: (name: string, args: string[], raw: Node[][]) => string | undefined;
  /** Bare words the caller replaces (e.g. VALUE, METADATA$FILENAME in an external table's column). */
  word?: (name: string) => string | undefined;
  /** Bind placeholders (`?`, `:1`): the literal to put in their place; default: DuckDB placeholders. */
  param?: (text: string) => string;
}

/** Words after which `values (…)` is a relation (Snowflake names its columns COLUMN1, COLUMN2…). */
const RELATION_KEYWORDS = new Set(['FROM', 'JOIN', 'USING']);

/** Words that cannot be the left side of `:key` (so `when … then :1`-like text is left alone). */
const NOT_A_BASE = new Set(['SELECT', 'WHERE', 'AND', 'OR', 'THEN', 'ELSE', 'WHEN', 'ON', 'BY', 'SET', 'AS', 'NOT']);

export function translate(sql: string, ctx: TranslateContext = {}): string {
  return renderNodes(parseTree(sql), ctx);
}

export function renderNodes(nodes: Node[], ctx: TranslateContext): string {
  const out: string[] = [];
  // index in `out` of the last significant piece, for `:` paths that take it back
  let lastSigOut = -1;
  const emit = (s: string, sig = true) => {
    out.push(s);
    if (sig) lastSigOut = out.length - 1;
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (isGroup(n)) {
      emit(`(${renderNodes(n.children, ctx)})`);
      continue;
    }
    switch (n.type) {
      case 'ws':
        emit(n.text, false);
        continue;
      case 'comment':
        // `//` comments are Snowflake-only; keep every comment as a block comment
        emit(n.text.startsWith('/*') ? n.text : `/*${n.text.replace(/\*\//g, '* /').slice(2)}*/`, false);
        continue;
      case 'string':
      case 'dollar':
        emit(quoteString(n.value));
        continue;
      case 'param':
        emit(ctx.param ? ctx.param(n.text) : n.text === '?' ? '?' : `$${n.text.slice(1)}`);
        continue;
      case 'number':
        emit(n.text);
        continue;
      case 'stage':
        emit(n.text);
        continue;
      case 'op': {
        if (n.text === ':') {
          const keys: string[] = [];
          let j = nextSig(nodes, i + 1);
          const first = nodes[j];
          const p = prevSig(nodes, i - 1);
          const prev = nodes[p];
          const baseOk = lastSigOut >= 0 && prev !== undefined && (isGroup(prev) || prev.type === 'ident' || (prev.type === 'word' && !NOT_A_BASE.has(prev.value)));
          if (baseOk && first && !isGroup(first) && (first.type === 'word' || first.type === 'ident')) {
            keys.push(first.type === 'word' ? first.text : first.value);
            // further .key parts
            for (;;) {
              const d = nextSig(nodes, j + 1);
              const k = nextSig(nodes, d + 1);
              const key = nodes[k];
              if (isOp(nodes[d], '.') && key && !isGroup(key) && (key.type === 'word' || key.type === 'ident')) {
                keys.push(key.type === 'word' ? key.text : key.value);
                j = k;
              } else break;
            }
            const base = out.slice(lastSigOut).join('');
            out.length = lastSigOut;
            const custom = ctx.path?.(base, keys);
            emit(custom ?? `(${base} ->> ${quoteString('$.' + keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `"${k}"`)).join('.'))})`);
            i = j;
            continue;
          }
        }
        if (n.text === '/') {
          // Snowflake raises "Division by zero"; guard the divisor (the operand right of `/`)
          const end = operandEnd(nodes, i + 1);
          if (end > i + 1) {
            const divisor = renderNodes(nodes.slice(nextSig(nodes, i + 1), end), ctx);
            emit(`/ (CASE WHEN (${divisor}) = 0 THEN error('Division by zero') ELSE (${divisor}) END)`);
            i = end - 1;
            continue;
          }
        }
        emit(n.text);
        continue;
      }
      case 'ident':
      case 'word': {
        const r = renderName(nodes, i, ctx);
        emit(r.text);
        i = r.next - 1;
        continue;
      }
    }
  }
  return out.join('');
}

/** End (exclusive) of the operand starting at the first significant node from `from`: [sign] primary [::type…]. */
function operandEnd(nodes: Node[], from: number): number {
  let j = nextSig(nodes, from);
  if (isOp(nodes[j], '-') || isOp(nodes[j], '+')) j = nextSig(nodes, j + 1);
  const n = nodes[j];
  if (!n) return from;
  if (isWord(n, 'CASE', 'SELECT', 'NOT', 'INTERVAL')) return from;
  if (isGroup(n)) j = j + 1;
  else if (n.type === 'number' || n.type === 'string' || n.type === 'param') j = j + 1;
  else if (n.type === 'word' || n.type === 'ident') {
    j = j + 1;
    for (;;) {
      const d = nextSig(nodes, j);
      if (isOp(nodes[d], '.') && nodes[nextSig(nodes, d + 1)] && !isGroup(nodes[nextSig(nodes, d + 1)])) j = nextSig(nodes, d + 1) + 1;
      else break;
    }
    const g = nextSig(nodes, j);
    if (isGroup(nodes[g])) j = g + 1;
  } else return from;
  // postfix casts
  for (;;) {
    const c = nextSig(nodes, j);
    if (!isOp(nodes[c], '::')) break;
    const t = nextSig(nodes, c + 1);
    if (!nodes[t]) break;
    j = t + 1;
    const g = nextSig(nodes, j);
    if (isGroup(nodes[g])) j = g + 1;
  }
  return j;
}

function renderArgs(g: Group, ctx: TranslateContext): { args: string[]; raw: Node[][] } {
  const raw = splitArgs(g);
  return { raw, args: raw.map((a) => renderNodes(a, ctx).trim()) };
}

/** A word or identifier at `i`: a function call, a type name, a qualified name, a keyword. */
function renderName(nodes: Node[], i: number, ctx: TranslateContext): { text: string; next: number } {
  const n = nodes[i] as Token;
  const prev = nodes[prevSig(nodes, i - 1)];
  const afterDot = isOp(prev, '.');
  const gi = nextSig(nodes, i + 1);
  const following = nodes[gi];

  if (n.type === 'word' && !afterDot) {
    const w = n.value;
    // type names
    if (!isOp(following, '.')) {
      const takesArgs = typeTakesArgs(w, following);
      const argTexts = takesArgs ? splitArgs(following as Group).map((a) => sigNodes(a).map((t) => (t as Token).text).join('')) : undefined;
      const mapped = w === 'TIMESTAMP' && takesArgs ? 'TIMESTAMP' : mapType(w, argTexts);
      const isCall = isGroup(following) && !takesArgs;
      if (mapped && !isCall && !(w === 'CHAR' && isGroup(following) && !takesArgs)) {
        return { text: mapped, next: takesArgs ? gi + 1 : i + 1 };
      }
    }
    if (w === 'VALUES' && RELATION_KEYWORDS.has(isWord(prev) ? (prev as Token).value : '') && isGroup(following)) {
      return renderValuesRelation(nodes, gi, ctx);
    }
    // function calls
    if (isGroup(following)) {
      const { args, raw } = renderArgs(following, ctx);
      let next = gi + 1;
      const custom = ctx.call?.(w, args, raw);
      if (custom !== undefined) return { text: custom, next };
      if (w === 'LISTAGG' || w === 'ARRAY_AGG') {
        // … within group (order by …) → the ORDER BY inside the aggregate
        const wi = nextSig(nodes, next);
        const gr = nextSig(nodes, wi + 1);
        const ob = nextSig(nodes, gr + 1);
        let order = '';
        if (isWord(nodes[wi], 'WITHIN') && isWord(nodes[gr], 'GROUP') && isGroup(nodes[ob])) {
          order = ' ' + renderNodes((nodes[ob] as Group).children, ctx).trim();
          next = ob + 1;
        }
        if (w === 'LISTAGG') return { text: `STRING_AGG(${args[0]}, ${args[1] ?? "''"}${order})`, next };
        return { text: `ARRAY_AGG(${args.join(', ')}${order})`, next };
      }
      const f = FUNCTIONS[w];
      if (f) return { text: f(args, raw, ctx), next };
      return { text: `${w.includes('$') ? quoteIdent(w) : w}(${args.join(', ')})`, next };
    }
    // niladic forms
    if (w === 'CURRENT_TIMESTAMP' || w === 'LOCALTIMESTAMP') return { text: 'CURRENT_TIMESTAMP', next: i + 1 };
    if (w === 'SYSDATE' || w === 'CURRENT_DATABASE' || w === 'CURRENT_SCHEMA' || w === 'CURRENT_ROLE' || w === 'CURRENT_WAREHOUSE') {
      if (!isOp(following, '.')) return { text: FUNCTIONS[w]([], [], ctx), next: i + 1 };
    }
    if (w === 'RLIKE' || w === 'REGEXP') return { text: '~', next: i + 1 };
  }

  // a (possibly qualified) name
  const parts: string[] = [n.type === 'ident' ? n.value : n.value];
  const texts: string[] = [renderPart(n)];
  let next = i + 1;
  if (!afterDot) {
    for (;;) {
      const d = nextSig(nodes, next);
      const k = nextSig(nodes, d + 1);
      const part = nodes[k];
      if (isOp(nodes[d], '.') && part && !isGroup(part) && (part.type === 'word' || part.type === 'ident')) {
        parts.push(part.value);
        texts.push(renderPart(part));
        next = k + 1;
      } else break;
    }
  }
  const star = isOp(nodes[nextSig(nodes, next)], '.');
  if (!star && !isGroup(nodes[nextSig(nodes, next)])) {
    const replaced = ctx.resolveName?.(parts);
    if (replaced !== undefined) return { text: replaced, next };
    if (parts.length === 1 && n.type === 'word') {
      const w = ctx.word?.(parts[0]);
      if (w !== undefined) return { text: w, next };
    }
  }
  return { text: texts.join('.'), next };
}

function renderPart(t: Token): string {
  if (t.type === 'ident') return quoteIdent(t.value);
  return t.value.includes('$') ? quoteIdent(t.value) : t.value;
}

function renderValuesRelation(nodes: Node[], gi: number, ctx: TranslateContext): { text: string; next: number } {
  const rows: string[] = [];
  let j = gi;
  let width = 0;
  for (;;) {
    const g = nodes[j] as Group;
    width = Math.max(width, splitArgs(g).length);
    rows.push(`(${renderNodes(g.children, ctx)})`);
    const c = nextSig(nodes, j + 1);
    const g2 = nextSig(nodes, c + 1);
    if (isOp(nodes[c], ',') && isGroup(nodes[g2])) j = g2;
    else break;
  }
  let next = j + 1;
  let alias = '__V';
  let cols = Array.from({ length: width }, (_, k) => `COLUMN${k + 1}`).join(', ');
  const a = nextSig(nodes, next);
  if (isWord(nodes[a], 'AS')) {
    const nm = nextSig(nodes, a + 1);
    const t = nodes[nm];
    if (t && !isGroup(t) && (t.type === 'word' || t.type === 'ident')) {
      alias = renderPart(t);
      next = nm + 1;
      const cg = nextSig(nodes, next);
      if (isGroup(nodes[cg])) {
        cols = renderNodes((nodes[cg] as Group).children, ctx);
        next = cg + 1;
      }
    }
  }
  return { text: `(VALUES ${rows.join(', ')}) AS ${alias}(${cols})`, next };
}

/** Is this a significant node? (re-exported for callers parsing statement heads) */
export { isSig };
