import { pc } from './colors.js';
import type { RunEvent } from '../execution/events.js';
import { formatPlace } from '../errors.js';
import { isFailure } from '../execution/dag-runner.js';
import { preferences, writeJsonEvent } from './console-output.js';
import type { StatusLine } from './status-line.js';

const LINE_WIDTH = 80;

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** What --quiet still prints: errors and failures. */
function shownWhenQuiet(e: RunEvent): boolean {
  return (e.type === 'log' && e.level === 'error') || (e.type === 'node_end' && isFailure(e.status)) || (e.type === 'batch_end' && e.status === 'error') || (e.type === 'hook' && e.status === 'error');
}

/** Prints run events the way dbt users read them, or as JSON lines. */
export class Reporter {
  private readonly color: boolean;
  /** the live status line, drawn under the log lines while a run goes on */
  private status: StatusLine | undefined;

  constructor(
    private readonly format: 'text' | 'json',
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.color = format === 'text' && (preferences.color ?? (!!out.isTTY && !process.env.NO_COLOR));
  }

  private c(fn: (s: string) => string, s: string): string {
    return this.color ? fn(s) : s;
  }

  private write(line: string): void {
    if (this.status) this.status.print(line + '\n');
    else this.out.write(line + '\n');
  }

  /** Shows `status` under the lines printed from now on, until `detachStatus`. */
  attachStatus(status: StatusLine | undefined): void {
    this.status = status;
    status?.start();
  }

  detachStatus(): void {
    this.status?.stop();
    this.status = undefined;
  }

  info(message: string): void {
    this.emit({ type: 'log', level: 'info', message });
  }

  warn(message: string): void {
    this.emit({ type: 'log', level: 'warn', message });
  }

  emit(e: RunEvent): void {
    if (preferences.quiet && !shownWhenQuiet(e)) return;
    if (this.format === 'json') {
      writeJsonEvent(e, this.out);
      return;
    }
    switch (e.type) {
      case 'log':
        if (e.level === 'warn') this.write(`${clock()}  ${this.c(pc.yellow, 'warning:')} ${e.message}`);
        else if (e.level === 'error') this.write(`${clock()}  ${this.c(pc.red, 'error:')} ${e.message}`);
        else this.write(`${clock()}  ${e.message}`);
        break;
      case 'hook': {
        const status = e.status === 'success' ? this.c(pc.green, 'OK') : this.c(pc.red, 'ERROR');
        this.write(`${clock()}  ${e.index} of ${e.total} ${status} ${e.which} hook${e.message ? `: ${e.message}` : ''} [${e.seconds.toFixed(2)}s]`);
        break;
      }
      case 'node_start':
        this.write(`${clock()}  ${dots(`${e.index} of ${e.total} START ${e.label}`)} [RUN]`);
        break;
      case 'node_end': {
        const [word, colour] = statusWord(e.status);
        const isTest = e.label.startsWith('test ') || e.label.startsWith('unit test ') || e.label.startsWith('freshness ');
        const verb = isTest ? '' : e.status === 'success' ? (e.label.startsWith('seed') ? 'loaded ' : 'created ') : e.status === 'error' || e.status === 'partial success' ? 'creating ' : '';
        const count = (e.status === 'fail' || e.status === 'warn') && e.failures !== undefined ? ` ${e.failures}` : '';
        const text = `${e.index} of ${e.total} ${word}${count} ${verb}${e.label}`;
        // a partial success says which batches failed in its message: the badge keeps the count
        const badge = e.status === 'error' ? 'ERROR' : isTest ? `${word}${count}` : e.status === 'partial success' ? e.message.split(':')[0] : e.message;
        const right = e.status === 'skipped' ? '[SKIP]' : `[${badge} in ${e.seconds.toFixed(2)}s]`;
        this.write(`${clock()}  ${this.c(colour, dots(text))} ${this.c(colour, right)}`);
        break;
      }
      case 'batch_end': {
        const [word, colour] = statusWord(e.status);
        const right = e.status === 'skipped' ? '[SKIP]' : `[${e.status === 'error' ? 'ERROR' : e.message} in ${e.seconds.toFixed(2)}s]`;
        this.write(`${clock()}    ${this.c(colour, dots(`batch ${e.index} of ${e.total} ${word} ${e.label}`, LINE_WIDTH - 2))} ${this.c(colour, right)}`);
        if (e.status === 'error') for (const line of e.message.split('\n')) this.write(`${clock()}      ${line}`);
        break;
      }
      case 'summary':
        this.write(`${clock()}  `);
        this.write(`${clock()}  Finished running ${e.description} in ${e.seconds.toFixed(2)}s.`);
        break;
    }
  }

  /**
   * The closing lines, as dbt's: `Completed with N errors and M warnings:`, each
   * failure then each warning with its file and message, then the
   * PASS/WARN/ERROR/SKIP/TOTAL line.
   */
  done(counts: StatusCounts, failures: ClosingNote[], warnings: ClosingNote[] = []): void {
    if (preferences.quiet && !counts.error) return;
    if (this.format === 'json') {
      writeJsonEvent({ type: 'done', ...counts, failures, warnings }, this.out);
      return;
    }
    this.write(`${clock()}  `);
    const errorWords = plural(counts.error, 'error');
    const warningWords = plural(warnings.length, 'warning');
    if (counts.error) this.write(`${clock()}  ${this.c(pc.red, `Completed with ${errorWords}${warnings.length ? ` and ${warningWords}` : ''}:`)}`);
    else if (warnings.length) this.write(`${clock()}  ${this.c(pc.yellow, `Completed with ${warningWords}:`)}`);
    else this.write(`${clock()}  ${this.c(pc.green, 'Completed successfully')}`);
    const note = (heading: string, n: ClosingNote, colour: (s: string) => string) => {
      this.write(`${clock()}  `);
      this.write(`${clock()}  ${this.c(colour, `${heading} in ${n.label} (${formatPlace(n)})`)}`);
      for (const line of n.message.split('\n')) this.write(`${clock()}    ${line}`);
    };
    if (counts.error) for (const f of failures) note('Failure', f, pc.red);
    for (const w of warnings) note('Warning', w, pc.yellow);
    this.write(`${clock()}  `);
    this.write(`${clock()}  Done. PASS=${counts.pass} WARN=${counts.warn} ERROR=${counts.error} SKIP=${counts.skip} TOTAL=${counts.total}`);
  }
}

/** A failure or warning listed at the end of a run: the node (`test not_null_orders_id`), its file and message. */
export interface ClosingNote {
  label: string;
  file: string;
  /** the line in `file`, when the note is about one entry (a project hook) */
  line?: number;
  message: string;
}

/** `1 error`, `2 errors` */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface StatusCounts {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

/** The closing line's counts: success and pass are PASS, skipped is SKIP, anything failed is ERROR. */
export function tally(statuses: string[]): StatusCounts {
  const counts = { pass: 0, warn: 0, error: 0, skip: 0, total: statuses.length };
  for (const s of statuses) {
    if (s === 'success' || s === 'pass') counts.pass++;
    else if (s === 'warn') counts.warn++;
    else if (s === 'skipped') counts.skip++;
    else counts.error++;
  }
  return counts;
}

function statusWord(status: string): [string, (s: string) => string] {
  switch (status) {
    case 'success':
      return ['OK', pc.green];
    case 'pass':
      return ['PASS', pc.green];
    case 'fail':
      return ['FAIL', pc.red];
    case 'warn':
      return ['WARN', pc.yellow];
    case 'skipped':
      return ['SKIP', pc.yellow];
    case 'partial success':
      return ['PARTIAL SUCCESS', pc.red];
    default:
      return ['ERROR', pc.red];
  }
}

function dots(text: string, width = LINE_WIDTH): string {
  const pad = width - text.length - 1;
  return pad > 2 ? `${text} ${'.'.repeat(pad)}` : text;
}
