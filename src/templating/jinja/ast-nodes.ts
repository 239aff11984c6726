/**
 * The AST nodes the patched parser adds for Jinja syntax nunjucks has no node for: tuples,
 * `is` tests, slices, filtered loops, `with`/`do` tags, Python truthiness and raw JS.
 *
 * They are registered on `nunjucks.nodes` (so nunjucks' transformer can rebuild them) and
 * flagged `jcNode`, which the patched compiler's `assertType` lets through.
 */
import { nj, type Any } from './nunjucks-internals.js';

export interface JinjaNodes {
  /** `truthy(target)`: a condition with Python truthiness. */
  JcTruthy: Any;
  /** `(a, b)`, `(a,)`, `()` and `set x = a, b`. */
  JcTuple: Any;
  /** The right side of `x is name args`. */
  JcTest: Any;
  /** The iterable of a for loop, with its `if` filter and the loop variable names. */
  JcLoopIter: Any;
  /** JavaScript code emitted as is. */
  JcRaw: Any;
  /** `x[start:stop:step]`. */
  JcSlice: Any;
  /** `*value` in a call's arguments. */
  JcStarArgs: Any;
  /** `**value` in a call's arguments. */
  JcStarKwargs: Any;
}

/** Defines the node classes (once, from the global install). */
export function defineNodes(): JinjaNodes {
  const { nodes } = nj;
  const def = (name: string, fields: string[]) => {
    const cls = nodes.Node.extend(name, { fields, jcNode: true });
    nodes[name] = cls; // lets nunjucks' transformer rebuild the node if it needs to
    return cls;
  };
  const JcTruthy = def('JcTruthy', ['target']);
  const JcTuple = nodes.NodeList.extend('JcTuple', { jcNode: true });
  nodes.JcTuple = JcTuple;
  const JcTest = def('JcTest', ['name', 'args']);
  const JcLoopIter = def('JcLoopIter', ['iter', 'cond', 'names']);
  def('JcWith', ['names', 'values', 'body']);
  def('JcDo', ['expr']);
  const JcRaw = def('JcRaw', ['code']);
  const JcSlice = def('JcSlice', ['start', 'stop', 'step']);
  const JcStarArgs = def('JcStarArgs', ['value']);
  const JcStarKwargs = def('JcStarKwargs', ['value']);
  return { JcTruthy, JcTuple, JcTest, JcLoopIter, JcRaw, JcSlice, JcStarArgs, JcStarKwargs };
}
