import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
