import { UserError, WarehouseError } from '../../errors.js';
import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import type { ManifestNode } from '../../compiler/nodes.js';
import type { Manifest } from '../../compiler/compiler.js';
import { formatTable, jsonCell, previewSql } from '../../show/preview.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { closeSession, openSession, publishCompiled, type Session } from '../session.js';
import { warehouseAnswerer } from '../../execution/introspection-answers.js';
import { checkInline, inlineModel, inlineNode, selectionChosen } from '../inline-node.js';

const SHOWABLE = ['model', 'seed', 'snapshot', 'analysis', 'test'] as const;

export interface ShowArgs {
  inline?: string;
  limit?: string;
  output?: string;
}

/** Checks show's own options before anything is loaded: a mistake is exit 2. */
export function checkShowArgs(o: ParsedOptions, args: ShowArgs): { limit: number; output: 'text' | 'json' } {
  const limit = args.limit === undefined ? 5 : Number(args.limit);
  if (args.limit !== undefined && (!/^\d+$/.test(args.limit) || limit < 1)) throw new UserError(`--limit must be a whole number from 1, got '${args.limit}'`, {}, { hint: 'e.g. --limit 20' });
  const output = args.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UserError(`--output must be 'text' or 'json', got '${output}'`);
  checkInline(o, args.inline, 'show');
  if (args.inline === undefined && !selectionChosen(o)) throw new UserError('tsql show needs --select <model> or --inline "<select …>"', {}, { hint: "e.g. tsql show --select orders, or tsql show --inline \"select * from {{ ref('orders') }}\"" });
  return { limit, output };
}

/**
 * `tsql show`: compiles, runs the select of the chosen nodes (or of `--inline`
 * SQL, which may use ref(), source() and macros) on the node's connection
 * with the limit pushed into the SQL, and prints the rows.
 */
export async function showCommand(options: ParsedOptions, args: ShowArgs): Promise<number> {
  const { limit, output } = checkShowArgs(options, args);
  const reporter = new Reporter(options.logFormat, output === 'json' ? process.stderr : process.stdout);
  const inline = args.inline;
  const session = await openSession(options, { which: 'show', readCatalog: true, extraModel: inlineModel(inline) });
  try {
    const { manifest } = session.compiled;
    const targets = inline === undefined ? pick(manifest, session, options) : [inlineNode(manifest)];
    if (inline === undefined) await publishCompiled(session, reporter, 'show');
    else for (const w of session.compiled.warnings) reporter.warn(w);
    let failed = false;
    for (const node of targets) {
      const label = inline !== undefined ? 'inline' : node.name;
      let rows: Record<string, unknown>[];
      try {
        const { adapter } = session.warehouseOf(node);
        rows = await adapter.withConnection(async (c) => {
          // a model whose SQL depends on queries is rendered now, with execute true
          const atRunTime = (node.resourceType === 'model' || node.resourceType === 'snapshot') && node.renderAtRunTime?.includes('sql');
          const select = atRunTime ? (await session.compiled.runTime.render({ kind: 'model', id: node.uniqueId }, warehouseAnswerer(adapter, c, () => undefined))).sql : selectOf(node, session);
          return c.preview ? c.preview(previewSql(select, limit)) : c.query(previewSql(select, limit));
        });
      } catch (e) {
        failed = true;
        const message = e instanceof WarehouseError || e instanceof Error ? e.message : String(e);
        process.stderr.write(`error: ${label === 'inline' ? 'the inline query' : `${node.uniqueId} (${node.originalFilePath})`} failed: ${message.split('\n')[0]}\n`);
        continue;
      }
      const columns = rows.length ? Object.keys(rows[0]) : [];
      if (output === 'json') process.stdout.write(JSON.stringify({ node: label, show: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonCell(v)]))) }) + '\n');
      else process.stdout.write(`Previewing ${label === 'inline' ? 'inline node' : `node '${label}'`}:\n${rows.length ? formatTable(rows, columns) : '(no rows)\n'}`);
    }
    return failed ? 1 : 0;
  } finally {
    await closeSession(session);
  }
}

function pick(manifest: Manifest, session: Session, options: ParsedOptions): ManifestNode[] {
  // the nodes the selection names: the tests attached to a model are not previewed with it (as in dbt)
  const ids = selectFromManifest(manifest, { ...commandSelection(options), targetDir: session.targetDir, types: [...SHOWABLE], indirectSelection: 'empty' });
  if (!ids.size) throw new UserError(`${options.select.length ? `--select '${options.select.join(' ')}'` : `--selector '${options.selector?.name}'`} matches no model, seed, snapshot, analysis or test`, {}, { hint: 'tsql ls lists the nodes' });
  return [...ids].sort().map((id) => manifest.nodes.get(id)!);
}

/** The query whose rows a node shows: its compiled select; a seed's table. */
function selectOf(node: ManifestNode, session: Session): string {
  switch (node.resourceType) {
    case 'model':
    case 'snapshot':
    case 'analysis':
      return node.compiledCode;
    case 'test':
      return node.compiledCode ?? '';
    case 'seed':
      return `select * from ${session.warehouseOf(node).adapter.dialect.renderRelation(node.relation)}`;
    default:
      throw new UserError(`${node.uniqueId} has no rows to show`);
  }
}
