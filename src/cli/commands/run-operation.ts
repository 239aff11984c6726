import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeRunResults } from '../../artifacts/write.js';
import { isUserError, UserError } from '../../errors.js';
import { warehouseAnswerer } from '../../execution/introspection-answers.js';
import { isPlainObject } from '../../project/config-merge.js';
import { didYouMean } from '../../util/suggest.js';
import { macroParameters } from '../../project/macros-yaml.js';
import { macroDefinition } from '../../templating/macros.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { artifactMeta, closeSession, openSession, publishCompiled } from '../session.js';

/** `--args '<yaml dict>'`: the macro's keyword arguments. */
export function parseOperationArgs(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch (e) {
    throw new UserError(`--args is not valid YAML: ${String((e as Error).message).split('\n')[0]}`, {}, { hint: `e.g. --args '{table: orders, days: 7}'` });
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new UserError('--args must be a mapping of argument names to values', {}, { hint: `e.g. --args '{table: orders, days: 7}'` });
  return value;
}

/**
 * `tsql run-operation <macro> --args '<yaml>'`: renders the macro with `execute`
 * true on the target; its run_query and statement calls run there, in order,
 * and its log() output is printed. Exit 0, 1 when the warehouse refused a
 * statement, 2 for a mistake (unknown macro, bad arguments). Writes
 * run_results.json with one result, `macro.<package>.<name>`.
 */
export async function runOperationCommand(options: ParsedOptions, macro: string, rawArgs: string | undefined): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const args = parseOperationArgs(rawArgs);
  const t0 = performance.now();
  const session = await openSession(options, { which: 'run-operation', readCatalog: true });
  try {
    await publishCompiled(session, reporter, 'run-operation');
    const renderer = session.compiled.runTime;
    const macros = renderer.macros();
    const pkg = session.settings.name;
    const name = macro.startsWith(`${pkg}.`) ? macro.slice(pkg.length + 1) : macro;
    const entry = macros.find((m) => m.name === name);
    if (!entry) {
      throw new UserError(`run-operation: no macro named '${macro}'`, {}, { hint: didYouMean(name, macros.filter((m) => !m.builtin).map((m) => m.name)) ?? 'macros live in the project\'s macro-paths' });
    }
    if (!entry.builtin) {
      const text = readFileSync(join(options.projectDir, entry.file), 'utf8');
      const definition = macroDefinition(text, name);
      const params = definition && macroParameters(text.slice(definition.offset));
      for (const k of Object.keys(args)) {
        if (params && !params.includes(k)) {
          throw new UserError(`run-operation: macro '${name}' has no argument '${k}'`, { file: entry.file, line: definition.line }, { hint: didYouMean(k, params) ?? (params.length ? `its arguments: ${params.join(', ')}` : 'it takes no arguments') });
        }
      }
    }
    const uniqueId = `macro.${entry.builtin ? 'tsql' : pkg}.${name}`;
    const startedAt = new Date();
    const finish = (status: 'success' | 'error', message: string) =>
      writeRunResults(
        session.targetDir,
        [{ uniqueId, status, message, startedAt: startedAt.toISOString(), completedAt: new Date().toISOString(), executionTime: (performance.now() - t0) / 1000 }],
        artifactMeta(session, 'run-operation'),
        (performance.now() - t0) / 1000,
        { which: 'run-operation', macro: name, args, target: options.target ?? null, vars: options.vars, profiles_dir: options.profilesDir ?? null },
      );
    const { adapter } = session.warehouseOf(undefined);
    try {
      const out = await adapter.withConnection((conn) => renderer.render({ kind: 'operation', macro: name, args }, warehouseAnswerer(adapter, conn, () => undefined)));
      for (const w of out.warnings) reporter.warn(w);
      for (const l of out.logs) reporter.info(l);
      finish('success', `OK: ${out.questions} ${out.questions === 1 ? 'query' : 'queries'}`);
      reporter.info(`Ran operation ${name} in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
      return 0;
    } catch (e) {
      finish('error', isUserError(e) ? (e as UserError).message : String((e as Error).message ?? e).split('\n')[0]);
      throw e;
    }
  } finally {
    await closeSession(session);
  }
}
