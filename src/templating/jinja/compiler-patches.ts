/**
 * Code generation changes in nunjucks' compiler for Jinja semantics: conditions use Python
 * truthiness, `and`/`or` return an operand, `~ + * % == <` follow Python, dict keys are
 * expressions, tuples stay tuples, `is` calls the environment's tests, `a.b` prefers Python
 * methods, slices, and `set` unpacks tuples and assigns namespace attributes.
 *
 * The generated code calls the helpers of runtime-helpers.ts (as `runtime.jinjaCompat`).
 * (Loop code generation is in loops.ts, the `do`/`with` tags in tags.ts.)
 */
import type { JinjaNodes } from './ast-nodes.js';
import { JC, nj, type Any } from './nunjucks-internals.js';
import { isBlockedName } from './sandbox.js';

/** A compile error for a name templates may not use (`{% set __proto__ = … %}`, `{'constructor': …}`). */
function refuseBlocked(compiler: Any, name: unknown, node: Any): void {
  if (isBlockedName(name) && name !== 'caller') compiler.fail(`'${String(name)}' is not available in templates`, node.lineno, node.colno);
}

/** Emits `JC.fn((first), ...rest)`, compiling each argument as an expression. */
function emitHelperCall(compiler: Any, frame: Any, fn: string, first: Any, ...rest: Any[]): void {
  compiler._emit(`${JC}.${fn}((`);
  compiler._compileExpression(first, frame);
  compiler._emit(')');
  for (const arg of rest) {
    compiler._emit(', ');
    compiler._compileExpression(arg, frame);
  }
  compiler._emit(')');
}

/** The names a template assigns anywhere: `{% set %}` targets and loop variables. */
function assignedNames(root: Any): Set<string> {
  const { nodes } = nj;
  const out = new Set<string>();
  const addTargets = (t: Any) => {
    if (!t) return;
    if (t instanceof nodes.Symbol) out.add(t.value);
    else if (Array.isArray(t)) t.forEach(addTargets);
    else if (Array.isArray(t.children)) t.children.forEach(addTargets);
  };
  const seen = new Set<Any>();
  const walk = (n: Any) => {
    if (!n || typeof n !== 'object' || seen.has(n)) return;
    seen.add(n);
    if (Array.isArray(n)) return n.forEach(walk);
    if (!(n instanceof nodes.Node)) return;
    if (n instanceof nodes.Set) n.targets.forEach(addTargets);
    if (n instanceof nodes.For) addTargets(n.name);
    if (n.typename === 'JcLoopIter') addTargets(n.names);
    for (const f of n.fields ?? []) walk(n[f]);
    if (Array.isArray(n.children)) n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** Patches nunjucks' Compiler prototype `C`. */
export function patchCompiler(C: Any, { JcTruthy, JcRaw }: JinjaNodes): void {
  const { nodes } = nj;

  const origAssertType = C.assertType;
  C.assertType = function assertType(this: Any, node: Any, ...types: Any[]) {
    if (node && node.jcNode) return;
    return origAssertType.call(this, node, ...types);
  };

  // A macro sets the template's shared `frame` to its own and restores it when it ends; `return()`
  // ends it with an exception (MacroReturn), which skipped the restore: a macro calling another
  // of its file that returns then lost its own variables. The body runs in try/finally instead.
  const origCompileMacro = C._compileMacro;
  C._compileMacro = function (this: Any, node: Any, frame: Any) {
    const start = this.codebuf.length;
    const funcId = origCompileMacro.call(this, node, frame);
    const open = this.codebuf.indexOf('var callerFrame = frame;\n', start);
    const close = this.codebuf.lastIndexOf('});\n');
    if (open < 0 || close < open) throw new Error('nunjucks macro code is not as tsql expects');
    this.codebuf.splice(close, 0, '} finally { frame = callerFrame; }\n');
    this.codebuf.splice(open + 1, 0, 'try {\n');
    return funcId;
  };

  const truthyNode = (n: Any) => (n && n.typename === 'JcTruthy' ? n : new JcTruthy(n.lineno, n.colno, n));

  C.compileJcTruthy = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.truthy(`);
    this.compile(node.target, frame);
    this._emit(')');
  };
  const origCompileSymbol = C.compileSymbol;
  C.compileSymbol = function (this: Any, node: Any, frame: Any) {
    refuseBlocked(this, node.value, node);
    return origCompileSymbol.call(this, node, frame);
  };
  // `{{ x }}` where x is a variable the template assigns (`{% set x %}` in an `if` not taken, a
  // loop variable, a macro argument) but holds nothing prints nothing, as in Jinja; dbt
  // packages rely on it (`{{ select_gb_cols }}` set only when there are group-by columns).
  // A name the template never assigns is still an error (with throwOnUndefined): a typo or a
  // missing variable.
  // The assigned names are found (a walk of the whole tree) only when an output names a variable
  // the frame does not know: most templates never print a bare unknown name.
  const origCompileRoot = C.compileRoot;
  C.compileRoot = function (this: Any, node: Any, frame: Any) {
    this.jcRoot = node;
    this.jcAssigned = undefined;
    return origCompileRoot.call(this, node, frame);
  };
  const assigned = (compiler: Any): Set<string> | undefined => compiler.jcRoot && (compiler.jcAssigned ??= assignedNames(compiler.jcRoot));
  const origCompileOutput = C.compileOutput;
  C.compileOutput = function (this: Any, node: Any, frame: Any) {
    for (const child of node.children) {
      if (child instanceof nodes.Symbol && (frame.lookup(child.value) || assigned(this)?.has(child.value))) {
        this._emit(`${this.buffer} += runtime.suppressValue(`);
        this.compile(child, frame);
        this._emit(', env.opts.autoescape);\n');
      } else {
        origCompileOutput.call(this, { children: [child], lineno: node.lineno, colno: node.colno }, frame);
      }
    }
  };
  C.compileJcRaw = function (this: Any, node: Any) {
    this._emit(node.code);
  };
  const emitTuple = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.tuple(`);
    this._compileAggregate(node, frame, '[', ']');
    this._emit(')');
  };
  C.compileJcTuple = emitTuple;

  const origCompileIf = C.compileIf;
  C.compileIf = function (this: Any, node: Any, frame: Any, async?: boolean) {
    node.cond = truthyNode(node.cond);
    return origCompileIf.call(this, node, frame, async);
  };
  const origCompileInlineIf = C.compileInlineIf;
  C.compileInlineIf = function (this: Any, node: Any, frame: Any) {
    node.cond = truthyNode(node.cond);
    return origCompileInlineIf.call(this, node, frame);
  };
  const origCompileNot = C.compileNot;
  C.compileNot = function (this: Any, node: Any, frame: Any) {
    node.target = truthyNode(node.target);
    return origCompileNot.call(this, node, frame);
  };

  // `left op right` -> `JC.fn(left, right)`; `and`/`or` get the right side as a thunk
  // (`JC.fn(left, function() { return right; })`) so it is only evaluated when needed.
  const binOp = (fn: string, lazy = false) =>
    function (this: Any, node: Any, frame: Any) {
      this._emit(`${JC}.${fn}(`);
      this.compile(node.left, frame);
      this._emit(lazy ? ', function() { return ' : ', ');
      this.compile(node.right, frame);
      this._emit(lazy ? '; })' : ')');
    };
  C.compileOr = binOp('or', true);
  C.compileAnd = binOp('and', true);
  C.compileConcat = binOp('concat');
  C.compileAdd = binOp('add');
  C.compileMul = binOp('mul');
  C.compileMod = binOp('mod');

  C.compileCompare = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.compare(`);
    this.compile(node.expr, frame);
    for (const op of node.ops) {
      this._emit(`, ${JSON.stringify(op.type)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  };

  // Jinja dict keys are expressions: {name: 1} uses the variable `name`.
  const origCompileDict = C.compileDict;
  C.compileDict = function (this: Any, node: Any, frame: Any) {
    for (const pair of node.children) if (pair.key instanceof nodes.Literal || pair.key instanceof nodes.Symbol) refuseBlocked(this, pair.key.value, pair.key);
    if (node instanceof nodes.KeywordArgs) return origCompileDict.call(this, node, frame);
    this._emit('{');
    node.children.forEach((pair: Any, i: number) => {
      if (i > 0) this._emit(', ');
      // a literal key stays a literal (never a lifted constant: lifted-constants.ts)
      if (pair.key instanceof nodes.Literal && typeof pair.key.value === 'string') this._emit(JSON.stringify(pair.key.value));
      else {
        this._emit(`[${JC}.key(`);
        this._compileExpression(pair.key, frame);
        this._emit(')]');
      }
      this._emit(': ');
      this._compileExpression(pair.value, frame);
    });
    this._emit('}');
  };

  const origCompileGroup = C.compileGroup;
  C.compileGroup = function (this: Any, node: Any, frame: Any) {
    if (node.children.length > 1) return emitTuple.call(this, node, frame);
    return origCompileGroup.call(this, node, frame);
  };

  const origCompileIs = C.compileIs;
  C.compileIs = function (this: Any, node: Any, frame: Any) {
    if (!node.right || node.right.typename !== 'JcTest') return origCompileIs.call(this, node, frame);
    this._emit(`${JC}.truthy(env.getTest(${JSON.stringify(node.right.name)}).call(context, `);
    this.compile(node.left, frame);
    for (const arg of node.right.args.children) {
      this._emit(', ');
      this._compileExpression(arg, frame);
    }
    this._emit('))');
  };

  const origCompileLookupVal = C.compileLookupVal;
  C.compileLookupVal = function (this: Any, node: Any, frame: Any) {
    const { target, val } = node;
    if (val instanceof nodes.Literal) refuseBlocked(this, val.value, val);
    if (val && (val.typename === 'JcSlice' || val.typename === 'Slice')) return emitHelperCall(this, frame, 'slice', target, val.start, val.stop, val.step);
    // A lookup the sandbox refuses is reported at its own line (nunjucks tracks lines only at calls and output).
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
    if (node.jcAttr) emitHelperCall(this, frame, 'getattr', target, val);
    else origCompileLookupVal.call(this, node, frame);
    this._emit(')');
  };

  // Macros know their name, so deep recursion can say which one it was.
  const origCompileMacroFn = C._compileMacro;
  C._compileMacro = function (this: Any, node: Any, frame: Any) {
    const funcId = origCompileMacroFn.call(this, node, frame);
    if (node.name && typeof node.name.value === 'string') this._emitLine(`${JC}.nameMacro(${funcId}, ${JSON.stringify(node.name.value)});`);
    return funcId;
  };

  // nunjucks keeps a top-level macro whose name starts with `_` out of the file's exports
  // (Jinja's rule for `{% import %}`). dbt loads every macro of a macro file, private or not
  // (dbt_utils calls `dbt_utils._is_relation(...)`), so such macros are handed to
  // `collectPrivateMacros` while a macro file loads.
  const origCompileMacroNode = C.compileMacro;
  C.compileMacro = function (this: Any, node: Any, frame: Any) {
    origCompileMacroNode.call(this, node, frame);
    const name = node.name?.value;
    if (!frame.parent && typeof name === 'string' && name.startsWith('_')) {
      this._emitLine(`${JC}.privateMacro(${JSON.stringify(name)}, context.lookup(${JSON.stringify(name)}));`);
    }
  };

  // A filter's errors (a refused name or attribute) are reported at its line.
  const origCompileFilter = C.compileFilter;
  C.compileFilter = function (this: Any, node: Any, frame: Any) {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
    origCompileFilter.call(this, node, frame);
    this._emit(')');
  };

  // Tuple unpacking and namespace attribute assignment.
  const origCompileSet = C.compileSet;
  C.compileSet = function (this: Any, node: Any, frame: Any) {
    const targets: Any[] = node.targets;
    for (const t of targets) {
      if (t instanceof nodes.Symbol) refuseBlocked(this, t.value, t);
      if (t instanceof nodes.LookupVal && t.val instanceof nodes.Literal) refuseBlocked(this, t.val.value, t.val);
    }
    if (targets.length === 1 && targets[0] instanceof nodes.Symbol) return origCompileSet.call(this, node, frame);
    const tmp = this._tmpid();
    this._emit(`var ${tmp} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(';');
    if (targets.length > 1) this._emitLine(`${tmp} = ${JC}.unpack(${tmp}, ${targets.length});`);
    targets.forEach((t, i) => {
      const code = targets.length > 1 ? `${tmp}[${i}]` : tmp;
      if (t instanceof nodes.LookupVal) {
        this._emit(`${JC}.setattr((`);
        this._compileExpression(t.target, frame);
        this._emit('), ');
        this._compileExpression(t.val, frame);
        this._emitLine(`, ${code});`);
      } else if (t instanceof nodes.Symbol) {
        origCompileSet.call(this, new nodes.Set(t.lineno, t.colno, [t], new JcRaw(t.lineno, t.colno, code)), frame);
      } else {
        this.fail('cannot assign to this expression', t.lineno, t.colno);
      }
    });
  };
}
