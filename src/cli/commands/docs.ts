import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { adapterFactory } from '../../adapters/registry.js';
import type { Adapter, CatalogTable } from '../../adapters/types.js';
import { metadata } from '../../artifacts/write.js';
import { allNodes, readManifestJson, readRunResults, type ManifestJson, type ManifestJsonNode } from '../../docs/artifacts.js';
import { buildCatalog, catalogColumns, schemasToRead, type CatalogJson } from '../../docs/catalog.js';
import { SqlParser } from '../../docs/lineage/parse-sql.js';
import { projectLineage } from '../../docs/lineage/project-lineage.js';
import { serveDirectory } from '../../docs/serve.js';
import { buildSiteData } from '../../docs/site-data.js';
import { writeSite } from '../../docs/site.js';
import { UserError } from '../../errors.js';
import { onInterrupt } from '../../execution/interrupt.js';
import { loadProjectFile, type ProjectSettings } from '../../project/project-file.js';
import { chosenProfile, resolveTarget } from '../../project/profiles.js';
import { scrubSecrets } from '../../util/secrets.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { closeSession, openSession, publishCompiled } from '../session.js';

export interface DocsGenerateFlags {
  /** false: read target/manifest.json as it is (--no-compile) */
  compile: boolean;
  /** --empty-catalog: do not read the warehouse */
  emptyCatalog: boolean;
}

/** The outputs the docs read the catalog from, by name; closed at the end. */
interface Warehouses {
  targetName: string;
  adapterType: string;
  adapterOf(name: string): Adapter | undefined;
  close(): Promise<void>;
}

/**
 * `tsql docs generate`: compile (or read the last manifest), read each
 * warehouse's catalog for the project's schemas, trace column lineage, and
 * write catalog.json, lineage.json and the static site in target/docs/.
 */
export async function docsGenerateCommand(options: ParsedOptions, flags: DocsGenerateFlags): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const t0 = performance.now();
  const settings = loadProjectFile(options.projectDir, { targetPath: options.targetPath });
  const targetDir = join(options.projectDir, settings.targetPath);
  const invocationId = randomUUID();
  const startedAt = new Date();
  let warehouses: Warehouses;
  let manifest: ManifestJson;
  if (flags.compile) {
    const session = await openSession(options, { which: 'generate', readCatalog: !flags.emptyCatalog });
    await publishCompiled(session, reporter, 'docs generate');
    manifest = JSON.parse(readFileSync(join(session.targetDir, 'manifest.json'), 'utf8')) as ManifestJson;
    warehouses = {
      targetName: session.target.targetName,
      adapterType: session.target.type,
      adapterOf: (name) => session.warehouses.get(name)?.adapter,
      close: () => closeSession(session),
    };
  } else {
    manifest = readManifestJson(targetDir, settings.targetPath);
    warehouses = openWarehouses(options, settings);
  }

  try {
    // the warehouse a node lives on: its connection's output when the profile has it, else the target
    const warehouseOf = (n: ManifestJsonNode) => {
      const c = n.config?.connection;
      return typeof c === 'string' && warehouses.adapterOf(c) ? c : warehouses.targetName;
    };
    const tables = new Map<string, CatalogTable[]>();
    const errors: string[] = [];
    if (!flags.emptyCatalog) {
      for (const [name, schemas] of schemasToRead(manifest, warehouseOf)) {
        const adapter = warehouses.adapterOf(name);
        if (!adapter) continue;
        try {
          tables.set(name, await adapter.readCatalog(schemas));
        } catch (e) {
          const message = `the catalog of output '${name}' could not be read: ${String((e as Error)?.message ?? e).split('\n')[0]}`;
          errors.push(message);
          reporter.warn(message);
        }
      }
    }
    const meta = metadata({ invocationId, generatedAt: startedAt, adapterType: warehouses.adapterType, targetName: warehouses.targetName, command: 'docs generate' }, 'catalog');
    const catalog: CatalogJson = buildCatalog(manifest, tables, warehouseOf, meta, errors);
    writeJson(join(targetDir, 'catalog.json'), catalog);

    const parser = new SqlParser();
    let lineage;
    try {
      lineage = await projectLineage(manifest, catalogColumns(catalog), parser, options.projectDir);
    } finally {
      parser.close();
    }
    writeJson(join(targetDir, 'lineage.json'), { metadata: { ...meta, artifact: 'lineage', parser: 'duckdb json_serialize_sql' }, nodes: lineage.nodes });

    const data = buildSiteData({ manifest, catalog, lineage, runResults: readRunResults(targetDir), projectDir: options.projectDir, generatedAt: startedAt.toISOString() });
    writeSite(
      join(targetDir, 'docs'),
      data,
      settings.assetPaths.map((p) => ({ from: join(options.projectDir, p), name: p.replace(/\/+$/, '') })),
    );

    const relations = [...allNodes(manifest).values()].filter((n) => ['model', 'seed', 'source', 'snapshot'].includes(n.resource_type) && n.materialized !== 'ephemeral' && n.materialized !== 'unload').length;
    const found = Object.keys(catalog.nodes).length + Object.keys(catalog.sources).length;
    const models = Object.entries(lineage.nodes).filter(([, l]) => l.resource_type === 'model');
    const tableLevel = models.filter(([, l]) => l.level === 'table');
    for (const [id, l] of tableLevel) reporter.warn(`${allNodes(manifest).get(id)?.original_file_path ?? id}: column lineage unavailable (${l.reason}); the docs show its table-level lineage`);
    reporter.info(flags.emptyCatalog ? `Catalog: not read (--empty-catalog); wrote ${settings.targetPath}/catalog.json` : `Catalog: ${found} of ${relations} relations found in the warehouse; wrote ${settings.targetPath}/catalog.json`);
    reporter.info(`Lineage: ${models.length - tableLevel.length} of ${models.length} models traced to their columns; wrote ${settings.targetPath}/lineage.json`);
    reporter.info(`Docs site in ${((performance.now() - t0) / 1000).toFixed(2)}s: ${settings.targetPath}/docs/index.html (open it in a browser, or run tsql docs serve)`);
    return errors.length ? 1 : 0;
  } finally {
    await warehouses.close();
  }
}

/** --no-compile: the target and the outputs nodes name, opened only when their catalog is read. */
function openWarehouses(options: ParsedOptions, settings: ProjectSettings): Warehouses {
  const target = resolveTarget({ projectDir: options.projectDir, profilesDir: options.profilesDir, ...chosenProfile(options.profile, settings), targetName: options.target, vars: options.vars });
  const opened = new Map<string, Adapter | undefined>();
  const adapterOf = (name: string) => {
    if (!opened.has(name)) {
      const out = name === target.targetName ? { type: target.type, output: target.output, threads: target.threads } : target.otherOutput(name);
      opened.set(name, out ? adapterFactory(out.type)!.create(out.output, { projectDir: options.projectDir, threads: options.threads ?? out.threads }) : undefined);
    }
    return opened.get(name);
  };
  return {
    targetName: target.targetName,
    adapterType: target.type,
    adapterOf,
    close: async () => {
      await Promise.all([...opened.values()].map((a) => a?.close()));
    },
  };
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, scrubSecrets(JSON.stringify(value, null, 1)));
}

/** `tsql docs serve`: serves target/docs/ until Ctrl-C (never opens a browser). */
export async function docsServeCommand(options: ParsedOptions, raw: { port?: string; host?: string }): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const port = raw.port === undefined ? 8080 : Number(raw.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--port must be a port number from 1 to 65535, not '${raw.port}'`);
  const host = raw.host ?? '127.0.0.1';
  const settings = loadProjectFile(options.projectDir, { targetPath: options.targetPath });
  const dir = join(options.projectDir, settings.targetPath, 'docs');
  if (!existsSync(join(dir, 'index.html'))) throw new UserError(`there is no docs site in ${settings.targetPath}/docs`, {}, { hint: 'run tsql docs generate first' });
  const server = await serveDirectory(dir, host, port);
  const address = server.address();
  const shown = typeof address === 'object' && address ? address.port : port;
  reporter.info(`Serving the docs of ${settings.name} at http://${host.includes(':') ? `[${host}]` : host}:${shown}/ (Ctrl-C to stop)`);
  return new Promise((resolve) => {
    onInterrupt(() => {
      onInterrupt(undefined);
      server.close();
      server.closeAllConnections();
      reporter.info('Stopped serving the docs.');
      resolve(0);
    });
  });
}
