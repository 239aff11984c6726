import { UserError } from '../errors.js';

/** One `{% snapshot name %} … {% endsnapshot %}` block of a snapshot file. */
export interface SnapshotBlock {
  name: string;
  /** The text between the opening and closing tags (config call and select). */
  body: string;
  /** 1-based line of the opening tag. */
  line: number;
  /** 1-based line where the body starts (for errors inside it). */
  bodyLine: number;
}

const TAG = /\{%-?\s*(snapshot|endsnapshot)\b([^%]*?)-?%\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Splits a snapshot file into its blocks (several per file are allowed, as in
 * dbt). Errors name the file and line: a block without a name, one never
 * closed, one opened inside another, a closing tag with no block, and text
 * other than whitespace or comments outside every block.
 */
export function parseSnapshotBlocks(text: string, file: string): { blocks: SnapshotBlock[]; errors: UserError[] } {
  const blocks: SnapshotBlock[] = [];
  const errors: UserError[] = [];
  let open: { name: string; line: number; bodyStart: number } | undefined;
  let outsideFrom = 0;
  const outside: Array<[number, number]> = [];
  for (const m of text.matchAll(TAG)) {
    const at = m.index ?? 0;
    const line = lineAt(text, at);
    const kind = m[1];
    const arg = m[2].trim();
    if (kind === 'snapshot') {
      if (open) {
        errors.push(new UserError(`snapshot '${arg || '?'}' opens inside snapshot '${open.name}', which is not closed`, { file, line }, { hint: 'close it with {% endsnapshot %} first' }));
        continue;
      }
      outside.push([outsideFrom, at]);
      if (!arg) {
        errors.push(new UserError('this snapshot block has no name', { file, line }, { hint: 'write {% snapshot my_snapshot %}' }));
      } else if (!NAME.test(arg)) {
        errors.push(new UserError(`'${arg}' is not a valid snapshot name`, { file, line }, { hint: 'letters, digits and underscores, not starting with a digit' }));
      }
      open = { name: arg, line, bodyStart: at + m[0].length };
    } else {
      if (!open) {
        errors.push(new UserError('{% endsnapshot %} without a {% snapshot %} block', { file, line }));
        continue;
      }
      if (open.name && NAME.test(open.name)) {
        blocks.push({ name: open.name, body: text.slice(open.bodyStart, at), line: open.line, bodyLine: lineAt(text, open.bodyStart) });
      }
      open = undefined;
      outsideFrom = at + m[0].length;
    }
  }
  if (open) {
    errors.push(new UserError(`snapshot '${open.name || '?'}' is never closed`, { file, line: open.line }, { hint: 'end it with {% endsnapshot %}' }));
  } else {
    outside.push([outsideFrom, text.length]);
  }
  for (const [from, to] of outside) {
    const blank = (c: string): string => c.replace(/[^\n]/g, ' ');
    const stray = text.slice(from, to).replace(/\{#[\s\S]*?#\}/g, blank).replace(/--[^\n]*/g, blank).replace(/\/\*[\s\S]*?\*\//g, blank);
    if (stray.trim()) {
      const lead = stray.length - stray.trimStart().length;
      errors.push(new UserError('text outside a {% snapshot %} block is not read', { file, line: lineAt(text, from + lead) }, { hint: 'put the select inside {% snapshot name %} … {% endsnapshot %}' }));
    }
  }
  return { blocks, errors };
}

/** Two snapshots with one name (across every file) are an error at the second. */
export function duplicateSnapshotNames(found: Array<{ name: string; file: string; line: number }>): UserError[] {
  const first = new Map<string, { file: string; line: number }>();
  const errors: UserError[] = [];
  for (const s of found) {
    const prev = first.get(s.name);
    if (prev) errors.push(new UserError(`two snapshots are named '${s.name}'`, { file: s.file, line: s.line }, { hint: `the other is at ${prev.file}:${prev.line}` }));
    else first.set(s.name, { file: s.file, line: s.line });
  }
  return errors;
}
