/**
 * PUT and GET as the service answers them (test only): the query-request
 * returns the transfer's metadata (`command: UPLOAD | DOWNLOAD`,
 * `src_locations`, a `LOCAL_FS` stageInfo naming a local directory, ...) and
 * the sdk's file-transfer agent moves the files itself — compressing with
 * gzip on PUT unless AUTO_COMPRESS=FALSE. The stage's directory comes from
 * the engine (`EngineSession.resolveStage`).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { EngineSession } from './engine-types.js';
import { SfError } from './engine-types.js';

/** The words of a command: quoted strings ('…', with '' or \' inside) or runs of non-blanks. */
function words(sql: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'|(\S+)/g;
  for (let m = re.exec(sql); m !== null; m = re.exec(sql)) {
    out.push(m[1] !== undefined ? m[1].replace(/''/g, "'").replace(/\\(.)/g, '$1') : m[2]);
  }
  return out;
}

/** KEY=VALUE options after the operands (KEY = VALUE spacing allowed). */
function options(rest: string[]): Map<string, string> {
  const joined = rest.join(' ').replace(/\s*=\s*/g, '=');
  const opts = new Map<string, string>();
  for (const w of words(joined)) {
    const eq = w.indexOf('=');
    if (eq > 0) opts.set(w.slice(0, eq).toUpperCase(), w.slice(eq + 1).replace(/^'|'$/g, ''));
  }
  return opts;
}

function localPath(uri: string, command: string): string {
  if (!/^file:\/\//i.test(uri)) throw new SfError('001003', `SQL compilation error:\nsyntax error line 1 unexpected '${uri}'. (${command} needs a file:// location)`);
  return uri.slice('file://'.length);
}

function bool(v: string | undefined, dflt: boolean): boolean {
  return v === undefined ? dflt : v.toUpperCase() === 'TRUE';
}

function localFsStage(location: string): Record<string, unknown> {
  return {
    locationType: 'LOCAL_FS',
    location,
    path: '',
    region: null,
    storageAccount: null,
    isClientSideEncrypted: false,
    creds: {},
    presignedUrl: null,
    endPoint: null,
  };
}

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

export interface TransferAnswer {
  data: Record<string, unknown>;
  /** for the stand-in's stats */
  sources: string[];
  location: string;
}

export function isFileTransfer(sql: string): 'put' | 'get' | undefined {
  const head = sql.trim().slice(0, 3).toUpperCase();
  return head === 'PUT' ? 'put' : head === 'GET' ? 'get' : undefined;
}

/** `PUT file://<path> @<stage>[/<path>] [AUTO_COMPRESS=…] [SOURCE_COMPRESSION=…] [PARALLEL=…] [OVERWRITE=…]` */
export function answerPut(sql: string, session: EngineSession, queryId: string): TransferAnswer {
  const [, file, stage, ...rest] = words(sql.trim().replace(/;\s*$/, ''));
  if (file === undefined || stage === undefined) throw new SfError('001003', "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'PUT'.");
  const source = localPath(file, 'PUT');
  const resolved = session.resolveStage(stage);
  const location = join(resolved.directory, resolved.path);
  const opts = options(rest);
  return {
    sources: [source],
    location,
    data: {
      command: 'UPLOAD',
      src_locations: [source],
      autoCompress: bool(opts.get('AUTO_COMPRESS'), true),
      sourceCompression: (opts.get('SOURCE_COMPRESSION') ?? 'auto_detect').toLowerCase(),
      parallel: Number(opts.get('PARALLEL') ?? 4),
      overwrite: bool(opts.get('OVERWRITE'), false),
      threshold: 209_715_200,
      stageInfo: localFsStage(location),
      encryptionMaterial: null,
      presignedUrls: null,
      clientShowEncryptionParameter: false,
      queryId,
      kind: null,
      operation: 'Node',
    },
  };
}

/** `GET @<stage>[/<path>] file://<dir> [PARALLEL=…] [PATTERN='<regex>']` */
export function answerGet(sql: string, session: EngineSession, queryId: string): TransferAnswer {
  const [, stage, dir, ...rest] = words(sql.trim().replace(/;\s*$/, ''));
  if (stage === undefined || dir === undefined) throw new SfError('001003', "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'GET'.");
  const localLocation = localPath(dir, 'GET');
  const resolved = session.resolveStage(stage);
  const named = join(resolved.directory, resolved.path);
  let location = named;
  let files: string[] = [];
  const stat = statSync(named, { throwIfNoEntry: false });
  if (stat?.isFile()) {
    location = dirname(named);
    files = [basename(named)];
  } else if (stat?.isDirectory()) {
    files = filesBelow(named);
  }
  const opts = options(rest);
  const pattern = opts.get('PATTERN');
  if (pattern !== undefined) {
    const re = new RegExp(`^(?:${pattern})$`);
    files = files.filter((f) => re.test(f) || re.test(join(resolved.path, f)));
  }
  return {
    sources: files,
    location,
    data: {
      command: 'DOWNLOAD',
      src_locations: files,
      localLocation,
      parallel: Number(opts.get('PARALLEL') ?? 10),
      stageInfo: localFsStage(location),
      encryptionMaterial: null,
      presignedUrls: [],
      queryId,
      kind: null,
      operation: 'Node',
    },
  };
}
