import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from './project.js';

/** One line of output and when it arrived (ms since the CLI was started). */
export interface TimedLine {
  ms: number;
  text: string;
}

export interface WatchedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout lines as they arrived */
  lines: TimedLine[];
  /** the process's peak resident memory (VmHWM from /proc, polled until it exited), in MB */
  peakMb: number;
  /** when it was started (epoch ms) */
  startedAt: number;
  /** ms since start when it exited */
  exitedAt: number;
}

/**
 * Runs the real CLI and watches it: every stdout line with its time, and its
 * peak memory as the kernel counts it (/proc/<pid>/status VmHWM, the high-water
 * mark of its resident set, read every 50 ms; the last reading before it exits
 * is kept). `onLine` may act on the process (e.g. send Ctrl-C).
 */
export function watchCli(args: string[], cwd: string, opts: { env?: Record<string, string>; onStart?: (child: ChildProcess) => void; onLine?: (line: TimedLine, child: ChildProcess) => void; timeoutMs?: number } = {}): Promise<WatchedRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TSQL_DEBUG: '', ...opts.env } });
    opts.onStart?.(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    const lines: TimedLine[] = [];
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // it has exited
      }
    }, 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      pending += d;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = { ms: Date.now() - t0, text: pending.slice(0, i) };
        pending = pending.slice(i + 1);
        lines.push(line);
        opts.onLine?.(line, child);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, lines, peakMb: Math.round(peakKb / 1024), startedAt: t0, exitedAt: Date.now() - t0 });
    });
  });
}

/** The time of the first stdout line matching `re` (undefined when none does). */
export function lineAt(run: WatchedRun, re: RegExp): number | undefined {
  return run.lines.find((l) => re.test(l.text))?.ms;
}
