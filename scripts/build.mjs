#!/usr/bin/env node
// Builds tsql: TypeScript compiles src/ into dist/ (type checking, the modules the tests and
// benchmarks import), then esbuild bundles the CLI from dist/ into one file, dist/tsql.cjs,
// which bin/tsql.js runs with V8's code cache (see bin/tsql.js for why).
//
// What stays outside the bundle, loaded from node_modules as before:
// - the warehouse drivers and cloud SDKs, loaded on first use only (a DuckDB project never
//   loads pg or snowflake-sdk);
// - nunjucks: tsql patches its compiler and parser in place and requires its internal files
//   (nunjucks/src/*.js) by name, so there must be exactly one copy of it, node_modules'.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

// a new bundle makes the V8 code caches of the old one useless
for (const f of readdirSync(dist)) if (/^tsql\.cjs\..*\.v8$/.test(f)) rmSync(join(dist, f), { force: true });

const external = [
  'nunjucks',
  'nunjucks/*',
  '@duckdb/node-api',
  'pg',
  'pg-copy-streams',
  'snowflake-sdk',
  '@aws-sdk/*',
  'playwright-core',
];

await build({
  entryPoints: [join(dist, 'cli', 'main.js')],
  outfile: join(dist, 'tsql.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  // The modules find their own files through import.meta.url (src/paths.ts, createRequire):
  // in the bundle, that is the bundle's own URL, in dist/ like the modules it was built from.
  define: { 'import.meta.url': '__tsql_bundle_url' },
  banner: { js: "const __tsql_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  // import() of a driver becomes require() (all of them ship CommonJS): V8 does not keep the
  // dynamic-import hook of a script compiled from a code cache ("A dynamic import callback
  // was not specified"), and they are loaded on first use all the same.
  supported: { 'dynamic-import': false },
  sourcemap: true,
  logLevel: 'warning',
});

// The first run writes V8's code cache next to the bundle (bin/tsql.js): run it once now, as
// whoever builds, so that an installation other users cannot write to has its cache too.
execFileSync(process.execPath, [join(root, 'bin', 'tsql.js'), '--version'], { stdio: 'ignore', cwd: root });

// tsql's own templates (built-in macros and tests) are the same for every project: their
// generated code ships with the build (src/templating/template-cache.ts: BUILTIN_TEMPLATES_FILE),
// made by compiling an empty project and keeping its template cache. A fresh checkout then only
// generates its own templates' code.
const builtinTemplates = join(dist, 'templating', 'builtin-templates.json');
rmSync(builtinTemplates, { force: true });
const empty = mkdtempSync(join(tmpdir(), 'tsql-build-'));
try {
  writeFileSync(join(empty, 'tsql_project.yml'), 'name: builtin\nprofile: builtin\n');
  writeFileSync(join(empty, 'profiles.yml'), 'builtin:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: builtin.duckdb\n');
  execFileSync(process.execPath, [join(root, 'bin', 'tsql.js'), 'compile', '--profiles-dir', empty], { stdio: 'ignore', cwd: empty });
  copyFileSync(join(empty, 'target', '.tsql_cache', 'templates.json'), builtinTemplates);
} finally {
  rmSync(empty, { recursive: true, force: true });
}
