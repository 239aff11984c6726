/**
 * The live status line on a terminal: which nodes run, for how long, and the
 * rows a seed has loaded or an unload has written so far, redrawn in place
 * under the log lines. Only for a terminal (never in a pipe or a file, never
 * in JSON), and not with --quiet or --no-progress.
 */
import { pc } from './colors.js';
import type { NodeProgress, RunProgress } from '../execution/progress.js';
import { preferences } from './console-output.js';

const REDRAW_MS = 250;
/** Erase the line the cursor is on and go back to its start. */
const CLEAR = '\r\x1b[2K';

export class StatusLine {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly progress: RunProgress,
    private readonly color: boolean,
  ) {}

  /** A status line for this run when the console wants one (see above); undefined otherwise. */
  static forRun(progress: RunProgress, out: NodeJS.WriteStream = process.stdout): StatusLine | undefined {
    const wanted = preferences.format === 'text' && !preferences.quiet && preferences.progress && !!out.isTTY && process.env.TERM !== 'dumb';
    return wanted ? new StatusLine(out, progress, preferences.color ?? !process.env.NO_COLOR) : undefined;
  }

  start(): void {
    this.timer ??= setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Writes `text` (whole lines) where the status line was, and draws it again below. */
  print(text: string): void {
    this.clear();
    this.out.write(text);
    if (this.timer) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (!this.shown) return;
    this.out.write(CLEAR);
    this.shown = false;
  }

  private draw(): void {
    const running = this.progress.snapshot();
    if (!running.length) return this.clear();
    const now = Date.now();
    // a terminal that does not tell its width (a pseudo-terminal of 0 columns) gets COLUMNS or 80
    const width = this.out.columns || Number(process.env.COLUMNS) || 80;
    const text = statusText(running, this.progress, now, Math.max(20, width - 1));
    this.out.write(CLEAR + (this.color ? pc.dim(text) : text));
    this.shown = true;
  }
}

/** `[0:42] 3 of 14 done · seed user_purchase 1,234,567 rows loaded 0:40 · table orders 0:02`, cut to `width`. */
export function statusText(running: NodeProgress[], progress: Pick<RunProgress, 'startedAt' | 'finished' | 'total'>, now: number, width: number): string {
  const parts = [`[${clock(now - progress.startedAt)}] ${progress.finished} of ${progress.total} done, ${running.length} running`];
  for (const n of running) {
    const rows = n.rows !== undefined ? ` ${n.rows.toLocaleString('en-US')} rows${n.verb ? ` ${n.verb}` : ''}` : '';
    parts.push(`${n.label}${rows} ${clock(now - n.startedAt)}`);
  }
  const text = parts.join(' · ');
  return text.length > width ? text.slice(0, width - 1) + '…' : text;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
