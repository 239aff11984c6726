/**
 * `--inline SQL` (tsql show, tsql compile): a select written on the command line, compiled
 * as one more model of the project, so ref(), source() and macros work in it. It exists for
 * that invocation only: nothing is written to target/ for it.
 */
import type { Manifest } from '../compiler/compiler.js';
import type { ModelNode } from '../compiler/nodes.js';
import { UserError } from '../errors.js';
import type { ParsedOptions } from './options.js';
import type { SessionOptions } from './session.js';

/** The name the inline query's model has (as in dbt). */
export const INLINE_NAME = 'inline_query';

/** Whether the command line names nodes: --select or --selector (not selectors.yml's default). */
export function selectionChosen(o: ParsedOptions): boolean {
  return o.select.length > 0 || (o.selector !== undefined && !o.selector.isDefault);
}

/** --inline takes a statement, and stands instead of a selection: a mistake is exit 2 before anything is loaded. */
export function checkInline(o: ParsedOptions, inline: string | undefined, command: string): void {
  if (inline === undefined) return;
  if (selectionChosen(o) || o.exclude.length) throw new UserError(`tsql ${command} takes ${o.select.length ? '--select' : o.exclude.length ? '--exclude' : '--selector'} or --inline, not both`);
  if (!inline.trim()) throw new UserError('--inline takes a select statement', {}, { hint: `e.g. tsql ${command} --inline "select * from {{ ref('orders') }}"` });
}

/** The session's extra model for `--inline SQL` (none without it). */
export function inlineModel(inline: string | undefined): SessionOptions['extraModel'] {
  return inline === undefined ? undefined : { name: INLINE_NAME, text: inline };
}

/** The inline query's node, compiled with the project. */
export function inlineNode(manifest: Manifest): ModelNode {
  return manifest.nodes.get(`model.${manifest.projectName}.${INLINE_NAME}`) as ModelNode;
}
