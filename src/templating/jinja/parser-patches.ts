/**
 * Grammar extensions of nunjucks' parser for Jinja syntax: `a.b` vs `a['b']` lookups,
 * tuples `(a, b)`/`(a,)`/`()`, trailing commas, expression dict keys, slices `x[a:b:c]`,
 * `x is test arg`, `set a, b = ...`/`set ns.attr = ...`/filtered block sets, and `{% raw %}`
 * that ends at the first `{% endraw %}`.
 *
 * (Loop filtering is in loops.ts, the `do`/`with` tags in tags.ts.)
 */
import type { JinjaNodes } from './ast-nodes.js';
import { nj, type Any } from './nunjucks-internals.js';

/** Patches nunjucks' Parser prototype `P`. */
export function patchParser(P: Any, { JcTuple, JcTest, JcRaw, JcSlice }: JinjaNodes): void {
  const { nodes, lexer } = nj;

  // `a.b` vs `a['b']`: Jinja's getattr prefers Python methods, getitem prefers data.
  P.parsePostfix = function parsePostfix(this: Any, node: Any) {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        const lookup = this.parseAggregate();
        if (lookup.children.length > 1) this.fail('invalid index');
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, lookup.children[0]);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (!val || ![lexer.TOKEN_SYMBOL, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE].includes(val.type)) {
          this.fail(`expected name as lookup value, got ${val ? val.value : 'end of file'}`, val?.lineno, val?.colno);
        }
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
        node.jcAttr = true;
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  };

  // (a, b), (a,), (), [a, b,], {k: v,}, subscripts with slices x[a:b:c]; dict keys are expressions.
  P.parseAggregate = function parseAggregate(this: Any) {
    const tok = this.nextToken();
    const closers = [lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY];
    let node: Any;
    if (tok.type === lexer.TOKEN_LEFT_PAREN) node = new nodes.Group(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_BRACKET) node = new nodes.Array(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_CURLY) node = new nodes.Dict(tok.lineno, tok.colno);
    else return null;
    let trailingComma = false;
    const closes = () => closers.includes(this.peekToken().type);
    for (;;) {
      if (closes()) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        if (closes()) {
          this.nextToken();
          trailingComma = true;
          break;
        }
      }
      if (node instanceof nodes.Dict) {
        const key = this.parseExpression();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, this.parseExpression()));
      } else if (node instanceof nodes.Array && node.children.length === 0) {
        const start = this.peekToken().type === lexer.TOKEN_COLON ? null : this.parseExpression();
        if (this.skip(lexer.TOKEN_COLON)) {
          const bound = () => ([lexer.TOKEN_COLON, lexer.TOKEN_RIGHT_BRACKET].includes(this.peekToken().type) ? null : this.parseExpression());
          const stop = bound();
          const step = this.skip(lexer.TOKEN_COLON) ? bound() : null;
          if (this.peekToken().type !== lexer.TOKEN_RIGHT_BRACKET) this.fail('parseSlice: expected ]', tok.lineno, tok.colno);
          this.nextToken();
          const lit = (v: Any) => v ?? new nodes.Literal(tok.lineno, tok.colno, null);
          node.addChild(new JcSlice(tok.lineno, tok.colno, lit(start), lit(stop), lit(step)));
          return node;
        }
        node.addChild(start);
      } else {
        node.addChild(this.parseExpression());
      }
    }
    if (node instanceof nodes.Group && (node.children.length !== 1 || trailingComma)) {
      return new JcTuple(node.lineno, node.colno, node.children);
    }
    return node;
  };

  // `x is test`, `x is test arg`, `x is test(args)`, `x is none/true/false`.
  P.parseIs = function parseIs(this: Any) {
    let node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const negated = this.skipSymbol('not');
    const tok = this.nextToken();
    let name: string;
    if (tok && (tok.type === lexer.TOKEN_SYMBOL || tok.type === lexer.TOKEN_BOOLEAN)) name = tok.value;
    else if (tok && tok.type === lexer.TOKEN_NONE) name = 'none';
    else return this.fail('expected test name after "is"', tok?.lineno, tok?.colno);
    let args = new nodes.NodeList(tok.lineno, tok.colno);
    const next = this.peekToken();
    if (next && next.type === lexer.TOKEN_LEFT_PAREN) {
      args = this.parseSignature();
    } else if (
      next &&
      [lexer.TOKEN_SYMBOL, lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(next.type) &&
      !(next.type === lexer.TOKEN_SYMBOL && ['else', 'or', 'and', 'if', 'in', 'not'].includes(next.value))
    ) {
      if (next.type === lexer.TOKEN_SYMBOL && next.value === 'is') this.fail('You cannot chain multiple tests with is', next.lineno, next.colno);
      args.addChild(this.parsePrimary());
    }
    node = new nodes.Is(node.lineno, node.colno, node, new JcTest(tok.lineno, tok.colno, name, args));
    return negated ? new nodes.Not(node.lineno, node.colno, node) : node;
  };

  // `set a, b = 1, 2`, `set ns.attr = v`, `{% set x -%}`, `{% set x | upper %}...{% endset %}`.
  P.parseSet = function parseSet(this: Any) {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    let target;
    while ((target = this.parsePrimary())) {
      node.targets.push(target);
      if (!this.skip(lexer.TOKEN_COMMA)) break;
    }
    if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      const first = this.parseExpression();
      if (this.peekToken().type === lexer.TOKEN_COMMA) {
        const items = [first];
        while (this.skip(lexer.TOKEN_COMMA)) {
          if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
          items.push(this.parseExpression());
        }
        node.value = new JcTuple(first.lineno, first.colno, items);
      } else {
        node.value = first;
      }
      this.advanceAfterBlockEnd(tag.value);
      return node;
    }
    const placeholder = new JcRaw(tag.lineno, tag.colno, '""');
    const filtered = this.peekToken().type === lexer.TOKEN_PIPE ? this.parseFilter(placeholder) : null;
    const end = this.nextToken();
    if (!end || end.type !== lexer.TOKEN_BLOCK_END) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
    if (end.value.charAt(0) === '-') this.dropLeadingWhitespace = true;
    const capture = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
    if (filtered) {
      let f = filtered;
      while (f.args.children[0] !== placeholder) f = f.args.children[0];
      f.args.children[0] = capture;
    }
    node.body = filtered ?? capture;
    node.value = null;
    this.advanceAfterBlockEnd();
    return node;
  };

  // `{% raw %}` ends at the first `{% endraw %}` (as in Jinja) and honours `-` on both tags.
  P.parseRaw = function parseRaw(this: Any, tagName?: string) {
    const name = tagName || 'raw';
    const begun = this.advanceAfterBlockEnd();
    const m = this.tokens._extractRegex(new RegExp(`^([\\s\\S]*?)\\{%([-+]?)\\s*end${name}\\s*([-+]?)%\\}`));
    if (!m) this.fail(`expected end${name}`, begun.lineno, begun.colno);
    let str: string = m[1];
    if (this.dropLeadingWhitespace) {
      str = str.replace(/^\s*/, '');
      this.dropLeadingWhitespace = false;
    }
    if (m[2] === '-') str = str.replace(/\s*$/, '');
    if (m[3] === '-') this.dropLeadingWhitespace = true;
    return new nodes.Output(begun.lineno, begun.colno, [new nodes.TemplateData(begun.lineno, begun.colno, str)]);
  };
}
