import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, type SourcePlace } from '../errors.js';
import { newestMatching, parseConstraints } from './version-range.js';

/** A package fetched into a scratch folder, with what the lock file records about it. */
export interface Fetched {
  /** folder holding the package's project file */
  dir: string;
  /** git: the commit; hub: the version */
  resolved?: string;
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsql-deps-'));
}

function git(args: string[], cwd?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.error) throw new UserError(`cannot run git (${r.error.message})`, {}, { hint: 'git: packages need the git command on PATH' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim().split('\n').pop() ?? '' };
}

/** Clones `url`, checks out `revision` (tag, branch or commit) and returns the commit and the (sub)folder. */
export function fetchGit(url: string, revision: string | undefined, subdirectory: string | undefined, place: SourcePlace): Fetched {
  const dir = join(scratchDir(), 'repo');
  const clone = git(['clone', '--quiet', url, dir]);
  if (!clone.ok) throw new UserError(`git clone of ${url} failed: ${clone.err}`, place);
  if (revision) {
    const rev = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], dir);
    const remote = rev.ok ? rev : git(['rev-parse', '--verify', '--quiet', `origin/${revision}^{commit}`], dir);
    if (!remote.ok) throw new UserError(`revision '${revision}' does not exist in ${url}`, place, { hint: 'name a tag, a branch or a commit of that repository' });
    const co = git(['checkout', '--quiet', '--detach', remote.out], dir);
    if (!co.ok) throw new UserError(`git checkout of '${revision}' in ${url} failed: ${co.err}`, place);
  }
  const commit = git(['rev-parse', 'HEAD'], dir).out;
  let pkgDir = dir;
  if (subdirectory) {
    pkgDir = resolve(dir, subdirectory);
    if (isAbsolute(subdirectory) || !pkgDir.startsWith(dir + '/') || !existsSync(pkgDir) || !statSync(pkgDir).isDirectory()) {
      throw new UserError(`subdirectory '${subdirectory}' is not a folder of ${url} at ${revision ?? 'its default branch'}`, place);
    }
  }
  return { dir: pkgDir, resolved: commit };
}

async function download(url: string, place: SourcePlace): Promise<Buffer> {
  if (url.startsWith('file://')) {
    try {
      return readFileSync(fileURLToPath(url));
    } catch (e) {
      throw new UserError(`cannot read ${url}: ${(e as Error).message}`, place);
    }
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new UserError(`cannot download ${url}: ${cause}`, place, { hint: 'check the network, or install the package from git: or local:' });
  }
  if (res.status === 404) throw new UserError(`${url} was not found (HTTP 404)`, place, { hint: 'check the package name and URL' });
  if (!res.ok) throw new UserError(`downloading ${url} failed: HTTP ${res.status}`, place);
  return Buffer.from(await res.arrayBuffer());
}

/** Downloads a .tar.gz and unpacks it; a single top folder (as GitHub's archives have) is stepped into. */
export async function fetchTarball(url: string, place: SourcePlace, sha1?: string): Promise<Fetched> {
  const bytes = await download(url, place);
  if (sha1) {
    const got = createHash('sha1').update(bytes).digest('hex');
    if (got !== sha1) throw new UserError(`${url} does not match its sha1 (expected ${sha1}, got ${got})`, place, { hint: 'the download is corrupt or was replaced' });
  }
  const scratch = scratchDir();
  const archive = join(scratch, 'package.tar.gz');
  writeFileSync(archive, bytes);
  const out = join(scratch, 'unpacked');
  mkdirSync(out);
  const r = spawnSync('tar', ['-xzf', archive, '-C', out, '--no-same-owner'], { encoding: 'utf8' });
  if (r.status !== 0) throw new UserError(`${url} is not a .tar.gz archive (${(r.stderr ?? '').trim().split('\n')[0]})`, place);
  const entries = readdirSync(out);
  const dir = entries.length === 1 && statSync(join(out, entries[0])).isDirectory() ? join(out, entries[0]) : out;
  return { dir };
}

/** The hub's base URL: DBT_PACKAGE_HUB_URL (as in dbt), else the public hub. */
export function hubBaseUrl(): string {
  const base = process.env.DBT_PACKAGE_HUB_URL || 'https://hub.getdbt.com/';
  return base.endsWith('/') ? base : base + '/';
}

interface HubPackage {
  versions?: Record<string, { downloads?: { tarball?: string; sha1?: string } }>;
}

/** Resolves `org/name` against the hub's JSON API (api/v1/org/name.json) and fetches the newest version in range. */
export async function fetchHub(pkg: string, version: string[], place: SourcePlace, exact?: string): Promise<Fetched> {
  const { constraints, bad } = parseConstraints(exact ? [exact] : version);
  if (bad) throw new UserError(`version constraint '${bad}' of ${pkg} is not understood`, place, { hint: "write versions as 1.2.3 with >=, >, <, <= or =, e.g. [\">=1.0.0\", \"<2.0.0\"]" });
  const url = `${hubBaseUrl()}api/v1/${pkg}.json`;
  const bytes = await download(url, place);
  if (bytes.length === 0) throw new UserError(`package '${pkg}' is not on the hub (${url})`, place);
  let info: HubPackage;
  try {
    info = JSON.parse(bytes.toString('utf8')) as HubPackage;
  } catch {
    throw new UserError(`the hub answered ${url} with something that is not JSON`, place);
  }
  const available = Object.keys(info.versions ?? {});
  const chosen = newestMatching(available, constraints);
  if (!chosen) throw new UserError(`no version of ${pkg} matches ${(exact ? [exact] : version).join(', ')}`, place, { hint: `the hub has ${available.join(', ') || 'no versions'}` });
  const dl = info.versions![chosen].downloads;
  if (!dl?.tarball) throw new UserError(`the hub lists no tarball for ${pkg} ${chosen}`, place);
  const fetched = await fetchTarball(dl.tarball, place, dl.sha1);
  return { ...fetched, resolved: chosen };
}
