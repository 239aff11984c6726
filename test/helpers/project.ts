import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach } from 'vitest';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'tsql.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A throwaway project directory with a DuckDB profile, written from a map of files. */
export class TempProject {
  readonly dir: string;

  constructor(files: Record<string, string>, opts: { name?: string; projectFile?: string; profile?: string | null } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'tsql-test-'));
    const name = opts.name ?? 'shop';
    const defaults: Record<string, string> = {
      [opts.projectFile ?? 'tsql_project.yml']: `name: ${name}\nprofile: ${name}\n`,
    };
    if (opts.profile !== null) {
      defaults['profiles.yml'] = opts.profile ?? `${name}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: main\n      threads: 2\n`;
    }
    this.write({ ...defaults, ...files });
  }

  write(files: Record<string, string>): void {
    for (const [rel, text] of Object.entries(files)) {
      const abs = join(this.dir, rel);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }

  remove(rel: string): void {
    rmSync(join(this.dir, rel), { force: true, recursive: true });
  }

  /** Runs the real CLI in this project as a subprocess. */
  tsql(args: string[], env: Record<string, string> = {}): CliResult {
    return runCli(args, this.dir, env);
  }

  get dbPath(): string {
    return join(this.dir, 'warehouse.duckdb');
  }

  /** Reads rows from the project's DuckDB file (opened read-only after the CLI exits). */
  async query(sql: string, dbPath = this.dbPath): Promise<Record<string, unknown>[]> {
    return queryDuckDB(dbPath, sql);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a copy of the repository's example project holds. */
const EXAMPLE_ENTRIES = ['tsql_project.yml', 'profiles.yml', 'models', 'macros', 'seeds', 'tests'];

/**
 * Copies the repository's example project into a fresh temp dir and returns it;
 * `profile` replaces its profiles.yml. The caller removes the dir.
 */
export function copyExample(prefix: string, profile?: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of EXAMPLE_ENTRIES) {
    const from = join(REPO_ROOT, entry);
    if (existsSync(from)) cpSync(from, join(dir, entry), { recursive: true });
  }
  if (profile !== undefined) writeFileSync(join(dir, 'profiles.yml'), profile);
  return dir;
}

export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', TSQL_DEBUG: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the real CLI without blocking this process: needed when this process also
 * serves the CLI (the Redshift stand-in lives in the test process). `onStdout`
 * sees output as it arrives (e.g. to send Ctrl-C once a node has started).
 */
export function runCliAsync(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onStdout?: (text: string, child: ChildProcess) => void,
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TSQL_DEBUG: '', ...env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
}

export async function queryDuckDB(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** A project factory for a test file; every project it made is deleted after each test. */
export function useProjects(): (files: Record<string, string>, opts?: ConstructorParameters<typeof TempProject>[1]) => TempProject {
  const made: TempProject[] = [];
  afterEach(() => {
    while (made.length) made.pop()!.cleanup();
  });
  return (files, opts) => {
    const p = new TempProject(files, opts);
    made.push(p);
    return p;
  };
}
