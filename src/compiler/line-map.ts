/**
 * From a position in a node's compiled SQL back to the line of the file it was written in.
 *
 * A compiled select is a template's rendered output, trimmed (cleanSql), with the
 * `--empty` / batch subquery markers resolved (resolveSubqueryAliases), and with the CTEs of
 * the ephemeral models it reads put in front (ephemeral.ts). Each step is recorded here as it
 * happens, so a position can be walked back: compiled code → piece (the node's own select, or
 * an ephemeral model's) → the rendered output of that template → the output mark of the
 * piece of template that wrote it (jinja/output-marks.ts) → the template's line.
 *
 * Text copied from the template maps to its own line and column; text an expression wrote
 * (a ref, a macro call) maps to the line of the `{{ … }}`.
 */
import type { OutputMarks } from '../templating/jinja/output-marks.js';

/** One render of a template, as far as mapping needs it. */
export interface TemplateRender {
  /** the template's file, relative to the project */
  file: string;
  /** the template's text */
  source: string;
  /** what the render returned */
  rendered: string;
  marks: OutputMarks;
  /** characters cleanSql took off the start of `rendered` */
  lead: number;
  /** resolveSubqueryAliases' replacements: [offset in its input, length replaced, length written] … */
  edits?: number[];
}

/** A run of the compiled code copied from one template's own select. */
export interface CodePiece {
  /** where it starts in the compiled code, and its length */
  at: number;
  length: number;
  /** where it starts in the template's own select */
  from: number;
  render: TemplateRender;
}

export type CodeMap = CodePiece[];

/** The map of a node's own select (no ephemeral CTEs yet). */
export function ownCodeMap(render: TemplateRender, code: string): CodeMap {
  return [{ at: 0, length: code.length, from: 0, render }];
}

/** Where a query's CTEs and its own text went when ephemeral CTEs were put in front of it (see prependCtes). */
export interface CteLayout {
  /** each CTE's select in the result: where it starts, and its length */
  ctes: Array<{ at: number; length: number }>;
  /** where the query's own text goes on in the result, and how many of its first characters were replaced (its own `with`) */
  ownAt: number;
  ownCut: number;
}

/** The map of a query after prependCtes: the CTEs' selects (maps in the same order as the layout), then its own text. */
export function mapWithCtes(own: CodeMap | undefined, layout: CteLayout, cteMaps: Array<CodeMap | undefined>): CodeMap | undefined {
  const out: CodeMap = [];
  layout.ctes.forEach((c, i) => {
    for (const p of cteMaps[i] ?? []) out.push(...slicePiece(p, 0, c.length, c.at));
  });
  for (const p of own ?? []) out.push(...slicePiece(p, layout.ownCut, Infinity, layout.ownAt - layout.ownCut));
  return out.length ? out : undefined;
}

/** The part of a piece within [start, start + length) of the code it maps, moved by `shift`. */
function slicePiece(p: CodePiece, start: number, length: number, shift: number): CodePiece[] {
  const from = Math.max(p.at, start);
  const to = Math.min(p.at + p.length, start + length);
  if (to <= from) return [];
  return [{ at: from + shift, length: to - from, from: p.from + (from - p.at), render: p.render }];
}

/** A place in a template file. */
export interface FilePlace {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based, when known */
  column?: number;
  /** the text of that line */
  lineText: string;
}

/** Where the character at `offset` of the compiled code was written, if the map knows. */
export function placeInCode(map: CodeMap | undefined, offset: number): FilePlace | undefined {
  const piece = map?.find((p) => offset >= p.at && offset < p.at + p.length);
  if (!piece) return undefined;
  const r = piece.render;
  const rendered = r.lead + beforeEdits(r.edits, piece.from + (offset - piece.at));
  return placeInTemplate(r, rendered);
}

/** An offset in resolveSubqueryAliases' output, as an offset in its input (a replacement maps to its start). */
function beforeEdits(edits: number[] | undefined, offset: number): number {
  if (!edits) return offset;
  let delta = 0;
  for (let i = 0; i < edits.length; i += 3) {
    const outAt = edits[i] + delta;
    if (offset < outAt) break;
    if (offset < outAt + edits[i + 2]) return edits[i];
    delta += edits[i + 2] - edits[i + 1];
  }
  return offset - delta;
}

/** The template place that wrote character `offset` of a render's output. */
function placeInTemplate(r: TemplateRender, offset: number): FilePlace | undefined {
  const m = r.marks;
  let k = -1;
  for (let i = 0; i < m.length; i += 4) {
    if (m[i] > offset) break;
    k = i;
  }
  if (k < 0) return undefined;
  const [outAt, line0, col0, length] = [m[k], m[k + 1], m[k + 2], m[k + 3]];
  const lines = lineStarts(r.source);
  if (line0 >= lines.length) return undefined;
  if (length < 0 || offset >= outAt + length) {
    // written by an expression or tag: its own place
    return place(r, lines, line0, col0);
  }
  // copied from the template: find the text where the mark says it starts (whitespace control may have trimmed its start)
  const text = r.rendered.slice(outAt, outAt + length);
  const start = findText(r.source, text, lines[line0] + col0, lines[line0]);
  if (start < 0) return undefined;
  const at = start + (offset - outAt);
  const line = lineOf(lines, at);
  return place(r, lines, line, at - lines[line]);
}

function place(r: TemplateRender, lines: number[], line0: number, col0: number): FilePlace {
  const end = line0 + 1 < lines.length ? lines[line0 + 1] - 1 : r.source.length;
  const lineText = r.source.slice(lines[line0], end).replace(/\r$/, '');
  return { file: r.file, line: line0 + 1, column: col0 <= lineText.length ? col0 + 1 : undefined, lineText };
}

/** Where `text` starts in `source`: at `at` or after the whitespace there, else its first occurrence from `lineStart`. */
function findText(source: string, text: string, at: number, lineStart: number): number {
  if (source.startsWith(text, at)) return at;
  let p = at;
  while (p < source.length && /\s/.test(source[p])) p++;
  if (source.startsWith(text, p)) return p;
  return source.indexOf(text, lineStart);
}

function lineStarts(source: string): number[] {
  const out = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
