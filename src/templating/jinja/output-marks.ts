/**
 * Where each piece of a template's output came from, recorded while it renders, so that an
 * error the warehouse reports at a position in the compiled SQL can be told at the line of
 * the model file (see src/compiler/line-map.ts).
 *
 * nunjucks keeps no source map. Its generated code appends every piece of a template's
 * top-level output to one `output` string; code generation is patched so that, before each
 * such append, the root function notes `output.length` and where the piece is in the
 * template: text copied from the template (TemplateData: its position and length) or the
 * value of an expression or tag (`{{ ref('a') }}`, a macro call: the position of the tag,
 * so a macro that expands to several lines maps to the line of its call). Output written
 * inside a macro, a `{% set %}` block or a filter block is not the template's output and is
 * not noted.
 *
 * Marks are recorded only for a render that asks for them (renderWithMarks); any other
 * render calls a function that does nothing, once per append.
 */
import { nj, type Any } from './nunjucks-internals.js';

/**
 * Marks of one render, four numbers each: the output's length before the piece, the
 * piece's 0-based line and column in the (preprocessed) template, and the length of the
 * text copied from the template (-1 for the value of an expression or tag).
 */
export type OutputMarks = number[];

let pending: OutputMarks | undefined;

/**
 * Renders with marks: the first template root function that starts inside `fn` (the
 * template being rendered) records into `marks`; templates it renders in turn (a ref()'d
 * model rendered on demand asks for its own) do not.
 */
export function renderWithMarks<T>(marks: OutputMarks, fn: () => T): T {
  pending = marks;
  try {
    return fn();
  } finally {
    pending = undefined;
  }
}

const ignore = (): void => {};

/**
 * Called once at the start of every template's root function (generated code): the function
 * that notes a mark, for the render that asked for marks, else one that does nothing.
 */
function takeMarker(): (output: string, line: number, column: number, length: number) => void {
  const m = pending;
  pending = undefined;
  return m ? (output, line, column, length) => void m.push(output.length, line, column, length) : ignore;
}

const MARK = 'tsql_mark';

/** Patches nunjucks' Compiler prototype `C` to emit the marks (once, process-wide). */
export function patchOutputMarks(C: Any): void {
  nj.runtime.tsqlMarker = takeMarker;
  const { nodes } = nj;

  const origFuncBegin = C._emitFuncBegin;
  C._emitFuncBegin = function (this: Any, node: Any, name: string) {
    origFuncBegin.call(this, node, name);
    if (name === 'root') this._emitLine(`var ${MARK} = runtime.tsqlMarker();`);
  };

  // A capture ({% set %} block, filter block) writes to its own `output`: not the template's.
  const origCapture = C.compileCapture;
  C.compileCapture = function (this: Any, node: Any, frame: Any) {
    this.tsqlNested = (this.tsqlNested ?? 0) + 1;
    try {
      origCapture.call(this, node, frame);
    } finally {
      this.tsqlNested--;
    }
  };

  /** The root function's own output, outside macros (their buffer is not `output`) and captures. */
  const atRoot = (c: Any) => c.buffer === 'output' && !c.inBlock && !c.tsqlNested;
  const mark = (c: Any, node: Any, length: number) => {
    const n = (v: number) => c.tsqlConst(v, String(v));
    c._emitLine(`${MARK}(output,${n(node.lineno | 0)},${n(node.colno | 0)},${n(length)});`);
  };

  /** The length a mark records for a text (a template skeleton's probe records which text instead: skeletons.ts). */
  C.tsqlTextLength = (child: Any): number => String(child.value).length;

  const origOutput = C.compileOutput;
  C.compileOutput = function (this: Any, node: Any, frame: Any) {
    if (!atRoot(this)) return origOutput.call(this, node, frame);
    // one child at a time, each after its mark (the node's list is put back afterwards)
    const children = node.children;
    try {
      for (const child of children) {
        const isData = child instanceof nodes.TemplateData;
        if (isData && !child.value) continue;
        mark(this, isData ? child : node, isData ? this.tsqlTextLength(child) : -1);
        node.children = [child];
        origOutput.call(this, node, frame);
      }
    } finally {
      node.children = children;
    }
  };

  for (const method of ['compileCallExtension', 'compileCallExtensionAsync', 'compileInclude', 'compileBlock']) {
    const orig = C[method];
    if (!orig) continue;
    C[method] = function (this: Any, node: Any, frame: Any) {
      if (atRoot(this)) mark(this, node, -1);
      return orig.call(this, node, frame);
    };
  }
}
