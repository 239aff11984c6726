/**
 * What a node sees of the configuration around it, by the project it belongs
 * to (the root project or an installed package), with dbt's precedence rules.
 */
import { isPlainObject, mergeConfig, type Config } from '../project/config-merge.js';

/** A project's name and its project file's `vars:`. */
export interface VarScope {
  name: string;
  vars: Record<string, unknown>;
}

/**
 * The variables a node of package `nodePackage` reads with var(), highest
 * priority last (dbt's order): the package's own project file (its global
 * vars, then those it scopes to itself), the root project's global vars, the
 * root's vars scoped to the node's package (`vars: {pkg: {x: …}}`), then
 * `--vars`. A key naming the node's package is that scope, not a variable.
 */
export function varsFor(nodePackage: string, root: VarScope, pkg: VarScope | undefined, cliVars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (vars: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(vars)) if (k !== nodePackage) out[k] = v;
    const scoped = vars[nodePackage];
    if (isPlainObject(scoped)) Object.assign(out, scoped);
  };
  if (pkg && pkg.name !== root.name) add(pkg.vars);
  add(root.vars);
  Object.assign(out, cliVars);
  return out;
}

/**
 * A node's config, by dbt's precedence (later wins): the defaults, its own
 * project file's folder config (`models:` / `seeds:` … of the project or
 * package it belongs to), its properties YAML, `config()` in its file, and,
 * for a package's node, the root project's folder config for it (`models:
 * <pkg>: …`), which overrides even the package's `config()`: a project can
 * change any package node without editing the package.
 */
export interface ConfigLayers {
  defaults: Config;
  folder: Config;
  properties?: Config;
  inline?: Config;
  /** the root project's folder config for a package's node; undefined for the root's own nodes */
  root?: Config;
}

export function layeredConfig(l: ConfigLayers): Config {
  let c = mergeConfig(l.defaults, l.folder);
  if (l.properties) c = mergeConfig(c, l.properties);
  if (l.inline) c = mergeConfig(c, l.inline);
  return withRootOverride(c, l.root);
}

/** `own` (everything up to config() in the file) with the root project's override on top, if any. */
export function withRootOverride(own: Config, root: Config | undefined): Config {
  return root && Object.keys(root).length ? mergeConfig(own, root) : own;
}

/** Where a project hook is written: the project file and the line of its entry. */
export interface HookPlace {
  file: string;
  line?: number;
}

/** A project's on-run-start / on-run-end hook, with where it is written. */
export interface ProjectHook extends HookPlace {
  pkg: string;
  sql: string;
}

/** A project hook's SQL as compiled, with where it is written. */
export interface CompiledHook extends HookPlace {
  sql: string;
}

/** Every project's hooks of one kind in the order dbt runs them: the installed packages' (by package name), then the project's. */
export function hooksInRunOrder(
  projects: Array<{ name: string; settings: { file: string; onRunStart: string[]; onRunEnd: string[]; yaml: { lineOf(path: Array<string | number>): number | undefined } } }>,
  rootName: string,
  which: 'on-run-start' | 'on-run-end',
): ProjectHook[] {
  const packages = projects.filter((p) => p.name !== rootName).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ordered = [...packages, ...projects.filter((p) => p.name === rootName)];
  // the line of each entry of a list; of the key when the hook is one string
  const lineOf = (p: (typeof projects)[number], i: number) => p.settings.yaml.lineOf([which, i]) ?? p.settings.yaml.lineOf([which]);
  return ordered.flatMap((p) => (which === 'on-run-start' ? p.settings.onRunStart : p.settings.onRunEnd).map((sql, i) => ({ pkg: p.name, sql, file: p.settings.file, line: lineOf(p, i) })));
}
