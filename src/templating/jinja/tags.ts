/**
 * The `{% do expr %}` and `{% with a = 1 %}...{% endwith %}` tags, which Jinja has (as
 * built-in extensions) and nunjucks lacks: the tag extensions that parse them into
 * JcDo/JcWith nodes and the code generation for those nodes.
 */
import type { Any } from './nunjucks-internals.js';

export const doExtension = {
  tags: ['do'],
  parse(parser: Any, nodes: Any) {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    return new nodes.JcDo(tok.lineno, tok.colno, expr);
  },
};

export const withExtension = {
  tags: ['with'],
  parse(parser: Any, nodes: Any, lexer: Any) {
    const tok = parser.nextToken();
    const names: string[] = [];
    const values = new nodes.NodeList(tok.lineno, tok.colno);
    while (parser.peekToken().type !== lexer.TOKEN_BLOCK_END) {
      if (names.length && !parser.skip(lexer.TOKEN_COMMA)) parser.fail('with: expected comma between assignments', tok.lineno, tok.colno);
      const name = parser.parsePrimary(true);
      if (!(name instanceof nodes.Symbol)) parser.fail('with: expected a variable name', name.lineno, name.colno);
      if (!parser.skipValue(lexer.TOKEN_OPERATOR, '=')) parser.fail('with: expected "=" after the variable name', name.lineno, name.colno);
      names.push(name.value);
      values.addChild(parser.parseExpression());
    }
    parser.advanceAfterBlockEnd(tok.value);
    const body = parser.parseUntilBlocks('endwith');
    parser.advanceAfterBlockEnd();
    return new nodes.JcWith(tok.lineno, tok.colno, names, values, body);
  },
};

/** Code generation for the tags' nodes, on nunjucks' Compiler prototype `C`. */
export function patchTagCompilers(C: Any): void {
  // {% with a=1, b=a %}...{% endwith %}: values are evaluated in the outer scope.
  C.compileJcWith = function (this: Any, node: Any, frame: Any) {
    const ids = node.values.children.map((value: Any) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(value, frame);
      this._emitLine(';');
      return id;
    });
    this._emitLine('frame = frame.push(true);');
    const inner = frame.push(true);
    node.names.forEach((name: string, k: number) => {
      inner.set(name, ids[k]);
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${ids[k]});`);
    });
    this.compile(node.body, inner);
    this._emitLine('frame = frame.pop();');
  };

  C.compileJcDo = function (this: Any, node: Any, frame: Any) {
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  };
}
