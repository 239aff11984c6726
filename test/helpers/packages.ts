import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pgConnection } from './pg-server.js';

/** Runs git in `cwd` with a fixed author (tests make their own repositories). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}

/** Writes `files` (paths relative to `dir`) and commits them to a new repository in `dir`, tagged `tag`; returns the commit. */
export function commitRepo(dir: string, files: Record<string, string>, tag: string): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  git(dir, 'init', '--quiet', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', tag);
  git(dir, 'tag', tag);
  return git(dir, 'rev-parse', 'HEAD');
}

/** A profile for the test PostgreSQL server; the password comes from TSQL_TEST_PG_PASSWORD. */
export function pgProfile(name: string, schema: string): string {
  const c = pgConnection();
  return `${name}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      password: "{{ env_var('TSQL_TEST_PG_PASSWORD') }}"\n      dbname: ${c.database}\n      schema: ${schema}\n      threads: 2\n`;
}
