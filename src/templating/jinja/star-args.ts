/**
 * `*args` and `**kwargs` in calls: `f(a, *rest, key=1, **options)` spreads a list into
 * positional arguments and a dict into keyword arguments, as Python and Jinja do. dbt
 * packages forward a macro's surplus arguments this way
 * (`adapter.dispatch('x', 'pkg')(relation, **kwargs)`).
 *
 * The parser marks the spread arguments with their own nodes; a call that has one is
 * compiled to `callWrap(fn, name, context, JC.callArgs([[kind, value], ...]))`, which builds
 * nunjucks' argument list (positional values, then one keyword-arguments object) at run time.
 */
import type { JinjaNodes } from './ast-nodes.js';
import { JC, nj, runtime, type Any, type Dict } from './nunjucks-internals.js';
import { dictKeys, isDictObject, pyError, pyTypeName, toList } from './python-values.js';

type ArgKind = 'p' | '*' | 'k' | '**';

/** The entries of a `**mapping` argument (a dict or a Map with string keys). */
function mappingEntries(v: unknown): [string, unknown][] {
  if (v instanceof Map) return [...v.entries()].map(([k, val]) => [String(k), val]);
  if (isDictObject(v)) return dictKeys(v).map((k) => [k, v[k]]);
  throw pyError('TypeError', `argument after ** must be a mapping, not ${pyTypeName(v)}`);
}

/** nunjucks' argument list for a call whose arguments include `*x` or `**x`. */
export function callArgs(parts: [ArgKind, unknown][]): unknown[] {
  const positional: unknown[] = [];
  const kwargs: Dict = {};
  let hasKwargs = false;
  const addKeyword = (k: string, v: unknown) => {
    if (Object.prototype.hasOwnProperty.call(kwargs, k)) throw pyError('TypeError', `got multiple values for keyword argument '${k}'`);
    kwargs[k] = v;
    hasKwargs = true;
  };
  for (const [kind, value] of parts) {
    if (kind === 'p') positional.push(value);
    else if (kind === '*') {
      if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') {
        throw pyError('TypeError', `argument after * must be an iterable, not ${pyTypeName(value)}`);
      }
      positional.push(...toList(value));
    } else if (kind === 'k') for (const k of dictKeys(value as Dict)) addKeyword(k, (value as Dict)[k]);
    else for (const [k, v] of mappingEntries(value)) addKeyword(k, v);
  }
  return hasKwargs ? [...positional, runtime.makeKeywordArgs(kwargs)] : positional;
}

/** Patches nunjucks' Parser (`P`) and Compiler (`C`) prototypes for spread arguments. */
export function patchStarArgs(P: Any, C: Any, { JcStarArgs, JcStarKwargs }: JinjaNodes): void {
  const { nodes, lexer } = nj;

  // nunjucks' parseSignature, plus `*expr` and `**expr` arguments and a trailing comma.
  P.parseSignature = function parseSignature(this: Any, tolerant?: boolean, noParens?: boolean) {
    let tok = this.peekToken();
    if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', tok.lineno, tok.colno);
    }
    if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
    const spreadKwargs: Any[] = [];
    let checkComma = false;
    for (;;) {
      tok = this.peekToken();
      if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
        this.nextToken();
        break;
      } else if (noParens && tok.type === lexer.TOKEN_BLOCK_END) {
        break;
      }
      if (checkComma && !this.skip(lexer.TOKEN_COMMA)) {
        this.fail('parseSignature: expected comma after expression', tok.lineno, tok.colno);
      } else if (checkComma && !noParens && this.peekToken().type === lexer.TOKEN_RIGHT_PAREN) {
        // A trailing comma, `config(a=1, b=2,)`, as Jinja (and Python) allow.
        this.nextToken();
        break;
      } else {
        const star = this.peekToken();
        if (star.type === lexer.TOKEN_OPERATOR && (star.value === '*' || star.value === '**')) {
          this.nextToken();
          const value = this.parseExpression();
          if (star.value === '*') args.addChild(new JcStarArgs(star.lineno, star.colno, value));
          else spreadKwargs.push(new JcStarKwargs(star.lineno, star.colno, value));
        } else {
          const arg = this.parseExpression();
          if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
          else args.addChild(arg);
        }
      }
      checkComma = true;
    }
    if (kwargs.children.length) args.addChild(kwargs);
    for (const s of spreadKwargs) args.addChild(s);
    return args;
  };

  const isSpread = (n: Any) => n instanceof JcStarArgs || n instanceof JcStarKwargs;
  const origFunCall = C.compileFunCall;
  C.compileFunCall = function compileFunCall(this: Any, node: Any, frame: Any) {
    if (!node.args.children.some(isSpread)) return origFunCall.call(this, node, frame);
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callWrap(`);
    this._compileExpression(node.name, frame);
    this._emit(`, "${this._getNodeName(node.name).replace(/"/g, '\\"')}", context, ${JC}.callArgs([`);
    node.args.children.forEach((child: Any, i: number) => {
      if (i > 0) this._emit(', ');
      const kind = child instanceof JcStarArgs ? '*' : child instanceof JcStarKwargs ? '**' : child instanceof nodes.KeywordArgs ? 'k' : 'p';
      this._emit(`["${kind}", `);
      this.compile(isSpread(child) ? child.value : child, frame);
      this._emit(']');
    });
    this._emit('])))');
  };

  // `*x` anywhere else (a filter's or test's arguments) is a template error, not JavaScript.
  const refuse = function (this: Any, node: Any) {
    this.fail('*args and **kwargs can only be passed to a function or macro call', node.lineno, node.colno);
  };
  C.compileJcStarArgs = refuse;
  C.compileJcStarKwargs = refuse;
}
