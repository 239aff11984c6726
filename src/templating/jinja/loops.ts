/**
 * Jinja for-loop semantics: `for x in items if cond`, iterating a dict's keys or a str's
 * characters, per-iteration scoping, and `loop.previtem/nextitem/depth/cycle/changed`.
 *
 * nunjucks has no loop filter, lets `{% set %}` inside a loop leak out of it (and into the
 * next iteration), iterates a dict as key/value pairs and lacks those `loop` members.
 * Covers the parser patch, the code generation and the runtime helpers they call.
 */
import type { JinjaNodes } from './ast-nodes.js';
import { splitArgs } from './python-args.js';
import { tick } from './render-budget.js';
import { pyEq } from './python-operators.js';
import { dictKeys, isMapping, isPlainObject, isSafe, makeTuple, pyError, toList } from './python-values.js';
import { JC, nj, type Any, type Dict } from './nunjucks-internals.js';

/** Per-loop state for `loop.changed()`. */
const LAST_CHANGED = Symbol.for('tsql.jinja.loopChanged');

function loopIter(value: unknown, names: number): unknown {
  if (value === undefined || value === null) return value;
  if (isSafe(value)) return Array.from(value.val);
  if (names === 1) {
    if (value instanceof Map) return [...value.keys()];
    if (isMapping(value)) return dictKeys(value as Dict);
  }
  return value;
}

function loopFilter(src: unknown, names: number, keep: (item: unknown) => boolean): unknown {
  if (src === undefined || src === null) return src;
  if (Array.isArray(src)) return src.filter((x) => keep(x));
  if (typeof src === 'string') return Array.from(src).filter((x) => keep(x));
  if (names > 1 && isPlainObject(src)) {
    const out: Dict = {};
    for (const k of dictKeys(src)) if (keep([k, src[k]])) out[k] = src[k];
    return out;
  }
  return toList(src).filter((x) => keep(x));
}

/** The loop helpers compiled templates call (part of `runtime.jinjaCompat`). */
export const loopHelpers = {
  loopIter,
  loopFilter,
  resetIteration: (frame: { variables: Dict }, keep: string[]): void => {
    tick();
    for (const k of Object.keys(frame.variables)) {
      if (k !== 'loop' && !keep.includes(k) && k !== '[object Object]') delete frame.variables[k];
    }
  },
  loopItem: (arr: unknown, j: number): unknown => {
    if (typeof arr === 'string') arr = Array.from(arr);
    return Array.isArray(arr) && j >= 0 && j < arr.length ? arr[j] : undefined;
  },
  loopCycle: (i: number) =>
    function cycle(...args: unknown[]): unknown {
      const { positional } = splitArgs(args);
      if (!positional.length) throw pyError('TypeError', 'no items for cycling given');
      return positional[i % positional.length];
    },
  loopChanged: (loop: Dict | undefined) =>
    function changed(...args: unknown[]): boolean {
      const value = makeTuple(splitArgs(args).positional);
      const state = loop as Any;
      if (state && state[LAST_CHANGED] !== undefined && pyEq(state[LAST_CHANGED], value)) return false;
      if (state) Object.defineProperty(state, LAST_CHANGED, { value, writable: true, configurable: true, enumerable: false });
      return true;
    },
};

/** The loop variable names of a For node (`x`, or `k, v`). */
function loopNames(node: Any): string[] {
  return node.name instanceof nj.nodes.Array ? node.name.children.map((c: Any) => c.value) : [node.name.value];
}

/** Patches nunjucks' parser (`P`) and compiler (`C`) prototypes for Jinja loops. */
export function patchLoops(P: Any, C: Any, { JcLoopIter }: JinjaNodes): void {
  const { nodes } = nj;

  // `for x in items if cond` (loop filtering) and Jinja loop scoping.
  const origParseFor = P.parseFor;
  P.parseFor = function parseFor(this: Any) {
    const node = origParseFor.call(this);
    let iter = node.arr;
    let cond = null;
    if (iter instanceof nodes.InlineIf && iter.else_ === null) {
      cond = iter.cond;
      iter = iter.body;
    }
    node.arr = new JcLoopIter(iter.lineno, iter.colno, iter, cond, loopNames(node));
    return node;
  };

  // for-loop iterable: Jinja scoping (no leaking `set`), dict keys, loop filtering.
  C.compileJcLoopIter = function (this: Any, node: Any, frame: Any) {
    const n = node.names.length;
    this._emit('(frame.isolateWrites = true, ');
    if (!node.cond) {
      this._emit(`${JC}.loopIter(`);
      this._compileExpression(node.iter, frame);
      this._emit(`, ${n}))`);
      return;
    }
    const item = this._tmpid();
    this._emit(`${JC}.loopFilter(${JC}.loopIter(`);
    this._compileExpression(node.iter, frame);
    this._emit(`, ${n}), ${n}, function(${item}) { frame = frame.push(); `);
    const inner = frame.push();
    node.names.forEach((name: string, k: number) => {
      const id = this._tmpid();
      inner.set(name, id);
      this._emit(`var ${id} = ${n > 1 ? `${item}[${k}]` : item}; frame.set(${JSON.stringify(name)}, ${id}); `);
    });
    const res = this._tmpid();
    this._emit(`var ${res} = ${JC}.truthy(`);
    this._compileExpression(node.cond, inner);
    this._emit(`); frame = frame.pop(); return ${res}; }))`);
  };

  const origEmitLoopBindings = C._emitLoopBindings;
  C._emitLoopBindings = function (this: Any, node: Any, arr: string, i: string, len: string) {
    origEmitLoopBindings.call(this, node, arr, i, len);
    this._emitLine(`lineno = ${node.lineno}; colno = ${node.colno};`);
    // Jinja starts every iteration from the outer scope: drop what `set` stored last time.
    this._emitLine(`${JC}.resetIteration(frame, ${JSON.stringify(loopNames(node))});`);
    this._emitLine(`frame.set("loop.previtem", ${JC}.loopItem(${arr}, ${i} - 1));`);
    this._emitLine(`frame.set("loop.nextitem", ${JC}.loopItem(${arr}, ${i} + 1));`);
    this._emitLine('frame.set("loop.depth", 1);');
    this._emitLine('frame.set("loop.depth0", 0);');
    this._emitLine(`frame.set("loop.cycle", ${JC}.loopCycle(${i}));`);
    this._emitLine(`frame.set("loop.changed", ${JC}.loopChanged(frame.variables.loop));`);
  };
}
