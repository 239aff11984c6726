import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { UserError, type SourcePlace } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { readYamlFile, type YamlFile } from '../util/yaml-file.js';
import { isPlainObject } from './config-merge.js';
import { adapterFactory, adapterTypes, PLANNED_ADAPTERS } from '../adapters/registry.js';
import { zodToUserError, type ProjectSettings } from './project-file.js';
import { ALLOW_LAKE_OUTSIDE_PROJECT, lakeRootOutsideProject } from './lake.js';
import { unreadableOutputFile } from './profile-files.js';

export interface ResolvedTarget {
  profileName: string;
  targetName: string;
  type: string;
  /** The validated output block (may hold credentials: never print or store it whole). */
  output: Record<string, unknown>;
  /** All outputs of the profile, validated lazily by whoever uses them. */
  outputs: Record<string, Record<string, unknown>>;
  database: string | undefined;
  schema: string;
  threads: number;
  profilesFile: string;
  /**
   * Another output of the same profile, validated on first use (so an output
   * that is never used never needs its environment variables); undefined when
   * the profile has no output of that name.
   */
  otherOutput(name: string): OtherOutput | undefined;
}

export interface OtherOutput {
  name: string;
  type: string;
  output: Record<string, unknown>;
  database: string | undefined;
  schema: string;
  threads: number;
}

const SECRET_KEY = /pass|secret|token|private_key|key_id|access_key|credential/i;

/** The output with every credential-like value masked, for `debug`, logs and `target` in templates. */
export function redactOutput(output: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(output)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null) out[k] = '********';
    else if (isPlainObject(v)) out[k] = redactOutput(v);
    else out[k] = v;
  }
  return out;
}

/** --profiles-dir, then the project directory, then ~/.tsql/, then ~/.dbt/. */
export function findProfilesFile(projectDir: string, profilesDir?: string): string | undefined {
  const candidates = profilesDir
    ? [resolve(profilesDir)]
    : [process.env.TSQL_PROFILES_DIR, projectDir, join(homedir(), '.tsql'), join(homedir(), '.dbt')].filter((d): d is string => !!d);
  for (const dir of candidates) {
    const f = join(dir, 'profiles.yml');
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** Renders `{{ env_var('X', 'default') }}` (and `var`) inside profile values. */
function renderProfileValue(value: unknown, yaml: YamlFile, path: (string | number)[], vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{') && !value.includes('{%')) return value;
    const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, dev: true } as nunjucks.ConfigureOptions);
    env.addGlobal('env_var', (name: string, dflt?: unknown) => {
      const v = process.env[name];
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      throw new UserError(`environment variable '${name}' is not set and has no default`, { file: yaml.relPath, line: yaml.lineOf(path) });
    });
    env.addGlobal('var', (name: string, dflt?: unknown) => (name in vars ? vars[name] : dflt));
    try {
      const rendered = env.renderString(value, {});
      return coerceScalar(rendered);
    } catch (e) {
      const cause = findUserError(e);
      if (cause) throw cause;
      throw new UserError(`cannot render value: ${String((e as Error).message).split('\n').pop()?.trim()}`, { file: yaml.relPath, line: yaml.lineOf(path) });
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => renderProfileValue(v, yaml, [...path, i], vars));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderProfileValue(v, yaml, [...path, k], vars);
    return out;
  }
  return value;
}

function findUserError(e: unknown): UserError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof UserError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `{{ env_var('PORT') }}` renders to text; YAML users expect `5432` to be a number. */
function coerceScalar(s: string): unknown {
  if (/^-?\d+$/.test(s.trim()) && s.trim().length < 16) return Number(s.trim());
  if (s === 'true') return true;
  if (s === 'false') return false;
  return s;
}

/**
 * The profile a command uses and where it was named: `--profile`, else the
 * project file's `profile:` line (its `name:` line when it has none, the name
 * then being the profile's), which a "not found" points at.
 */
export function chosenProfile(cliProfile: string | undefined, settings: ProjectSettings): { profileName: string; profileNamedAt: SourcePlace | 'command line' } {
  if (cliProfile !== undefined) return { profileName: cliProfile, profileNamedAt: 'command line' };
  const key = isPlainObject(settings.yaml.data) && 'profile' in settings.yaml.data ? 'profile' : 'name';
  return { profileName: settings.profile, profileNamedAt: { file: settings.file, line: settings.yaml.lineOf([key]) } };
}

export function resolveTarget(opts: {
  projectDir: string;
  profilesDir?: string;
  profileName: string;
  /** where the profile's name was written (chosenProfile): a profile not found points there */
  profileNamedAt?: SourcePlace | 'command line';
  targetName?: string;
  vars: Record<string, unknown>;
}): ResolvedTarget {
  const file = findProfilesFile(opts.projectDir, opts.profilesDir);
  if (!file) {
    const where = opts.profilesDir ? resolve(opts.profilesDir) : `${opts.projectDir}, ~/.tsql/ or ~/.dbt/`;
    throw new UserError(`no profiles.yml found in ${where}`, {}, { hint: `create one with a '${opts.profileName}' profile, or pass --profiles-dir` });
  }
  const rel = file.startsWith(opts.projectDir + '/') ? file.slice(opts.projectDir.length + 1) : file;
  const yaml = readYamlFile(file, rel);
  const data = yaml.data;
  if (!isPlainObject(data)) throw new UserError('profiles.yml must be a mapping of profile names', { file: rel, line: 1 });
  const profileNames = Object.keys(data).filter((k) => k !== 'config');
  const profile = data[opts.profileName];
  if (!isPlainObject(profile)) {
    const hint = didYouMean(opts.profileName, profileNames) ?? `profiles in ${rel}: ${profileNames.join(', ') || 'none'}`;
    if (opts.profileNamedAt === 'command line') throw new UserError(`--profile '${opts.profileName}': no such profile in ${rel}`, {}, { hint });
    if (opts.profileNamedAt) throw new UserError(`profile '${opts.profileName}' not found in ${rel}`, opts.profileNamedAt, { hint });
    throw new UserError(`profile '${opts.profileName}' not found`, { file: rel }, { hint });
  }
  const outputs = profile.outputs;
  if (!isPlainObject(outputs) || !Object.keys(outputs).length) {
    throw yaml.error(`profile '${opts.profileName}' has no outputs`, [opts.profileName]);
  }
  const targetName = opts.targetName ?? (typeof profile.target === 'string' ? profile.target : undefined);
  if (!targetName) throw yaml.error(`profile '${opts.profileName}' names no target`, [opts.profileName], 'add `target: <output>` or pass --target');
  const raw = outputs[targetName];
  if (!isPlainObject(raw)) {
    throw new UserError(`target '${targetName}' not found in profile '${opts.profileName}'`, { file: rel, line: yaml.lineOf([opts.profileName, 'outputs']) }, {
      hint: didYouMean(targetName, Object.keys(outputs)) ?? `targets: ${Object.keys(outputs).join(', ')}`,
    });
  }
  /** An output validated (its env_var() rendered) and its engine's defaults. */
  const resolveOutput = (name: string, rawOutput: Record<string, unknown>): OtherOutput => {
    const output = validateOutput(rawOutput, yaml, [opts.profileName, 'outputs', name], opts.vars);
    const outside = lakeRootOutsideProject(output, opts.projectDir);
    if (outside) {
      const path = [opts.profileName, 'outputs', name];
      throw yaml.error(outside, 'lake_root' in rawOutput ? [...path, 'lake_root'] : path, `add ${ALLOW_LAKE_OUTSIDE_PROJECT}: true to output '${name}' if the lake is meant to live there`);
    }
    const factory = adapterFactory(String(output.type))!;
    const unreadable = unreadableOutputFile(output, factory, opts.projectDir, yaml, [opts.profileName, 'outputs', name]);
    if (unreadable) throw unreadable;
    return { name, type: factory.type, output, ...factory.defaults(output) };
  };
  const target = resolveOutput(targetName, raw);
  const others = new Map<string, OtherOutput | undefined>([[targetName, target]]);
  const otherOutput = (name: string): OtherOutput | undefined => {
    if (!others.has(name)) {
      const rawOther = outputs[name];
      others.set(name, isPlainObject(rawOther) ? resolveOutput(name, rawOther) : undefined);
    }
    return others.get(name);
  };
  return {
    profileName: opts.profileName,
    targetName,
    type: target.type,
    output: target.output,
    outputs: outputs as Record<string, Record<string, unknown>>,
    database: target.database,
    schema: target.schema,
    threads: target.threads,
    profilesFile: rel,
    otherOutput,
  };
}

function validateOutput(raw: Record<string, unknown>, yaml: YamlFile, path: string[], vars: Record<string, unknown>): Record<string, unknown> {
  const rendered = renderProfileValue(raw, yaml, path, vars) as Record<string, unknown>;
  const type = rendered.type;
  if (typeof type !== 'string') throw yaml.error(`output '${path[path.length - 1]}' has no 'type'`, path);
  const factory = adapterFactory(type);
  if (!factory) {
    const planned = PLANNED_ADAPTERS.includes(type);
    throw yaml.error(
      planned ? `the ${type} adapter is not available in this version of tsql yet` : `unknown adapter type '${type}'`,
      [...path, 'type'],
      planned ? `available: ${adapterTypes().join(', ')}` : (didYouMean(type, [...adapterTypes(), ...PLANNED_ADAPTERS]) ?? `available: ${adapterTypes().join(', ')}`),
    );
  }
  const parsed = factory.outputSchema.safeParse(rendered);
  if (!parsed.success) throw zodToUserError(parsed.error, yaml, Object.keys((factory.outputSchema as unknown as { shape?: object }).shape ?? {}), path);
  return parsed.data;
}
