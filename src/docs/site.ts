import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { codePath } from '../paths.js';
import { scrubSecrets } from '../util/secrets.js';
import { escapeHtml } from './markdown.js';
import type { SiteData } from './site-data.js';
import { SITE_CSS } from './site/style.js';

const require = createRequire(import.meta.url);

/** The files of the site, besides the data: the app, its stylesheet and the graph layout library. */
export const SITE_FILES = ['index.html', 'app.js', 'style.css', 'dagre.min.js', 'tsql-docs-data.js'];

/**
 * The page. Its Content-Security-Policy allows scripts and styles from the
 * site's own files only: no inline script runs, whatever a description holds.
 * It works from file:// (the data is a script, not a fetched JSON file) and
 * from any static host.
 */
function indexHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)} · tsql docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="style.css">
</head>
<body>
<div id="app"><p class="loading">Loading the docs…</p></div>
<noscript>The docs site needs JavaScript.</noscript>
<script src="dagre.min.js"></script>
<script src="tsql-docs-data.js"></script>
<script src="app.js"></script>
</body>
</html>
`;
}

/** The browser app, compiled from site/app.ts (a classic script: file:// pages cannot load modules). */
function appScript(): string {
  const text = readFileSync(codePath('docs/site/app.js'), 'utf8');
  return text
    .replace(/^export \{\};\s*$/m, '')
    .replace(/^\/\/# sourceMappingURL=.*$/m, '')
    .trimEnd();
}

/** dagre's browser build, from its package (not copied into this repository). */
function dagreScript(): string {
  const main = require.resolve('@dagrejs/dagre');
  return readFileSync(join(dirname(main), 'dagre.min.js'), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
}

/**
 * Writes the site into `dir` (target/docs): built aside and renamed into
 * place, so a failed generate leaves the previous site. `assets` are the
 * project's asset-paths folders, copied in under the same names.
 */
export function writeSite(dir: string, data: SiteData, assets: Array<{ from: string; name: string }>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'index.html'), indexHtml(data.project.name));
  writeFileSync(join(tmp, 'style.css'), SITE_CSS);
  writeFileSync(join(tmp, 'app.js'), appScript() + '\n');
  writeFileSync(join(tmp, 'dagre.min.js'), dagreScript());
  writeFileSync(join(tmp, 'tsql-docs-data.js'), scrubSecrets(`window.TSQL_DOCS = ${JSON.stringify(data).replace(/</g, '\\u003c')};\n`));
  for (const a of assets) if (existsSync(a.from)) cpSync(a.from, join(tmp, a.name), { recursive: true });
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}
