import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelNode } from '../compiler/nodes.js';
import { isS3Url, parseS3Url, uploadFileToS3 } from '../lake/s3.js';
import { withTempFile } from '../lake/temp-file.js';
import { isPlainObject } from '../project/config-merge.js';
import { isRemote, lakeLocation } from '../project/lake.js';
import type { MaterializeContext, MaterializeResult } from './context.js';

export type UnloadFormat = 'csv' | 'parquet';
export const UNLOAD_FORMATS: UnloadFormat[] = ['csv', 'parquet'];

/** Where an unload model writes: its `location` under the lake root; a trailing `/` means "a file named after the model in this folder". */
export function unloadTarget(node: ModelNode, lakeRoot: string): { location: string; format: UnloadFormat } {
  const format = (typeof node.config.format === 'string' ? node.config.format : 'csv') as UnloadFormat;
  let location = lakeLocation(lakeRoot, String(node.config.location));
  if (location.endsWith('/')) location += `${node.name}.${format}`;
  return { location, format };
}

/**
 * Writes the model's query result to a file in the lake, replacing that
 * location's previous file. Locally the file is written under a temporary
 * name and renamed into place, so a failed unload leaves the previous file.
 */
export async function materializeUnload(ctx: MaterializeContext, node: ModelNode): Promise<MaterializeResult> {
  const { location, format } = unloadTarget(node, ctx.lakeRoot);
  const options = isPlainObject(node.config.options) ? (node.config.options as Record<string, string | number | boolean>) : {};
  if (ctx.adapter.unload) {
    const r = await ctx.adapter.unload(ctx.conn, { sql: node.compiledCode, location, format, options });
    r.statements.forEach((sql) => ctx.record(sql));
    return { message: `UNLOAD ${r.rows ?? '?'}`, rowsAffected: r.rows, kind: 'external', location };
  }
  if (ctx.dialect.capabilities.unload === 'client') return unloadThroughClient(ctx, node, location, format, options);
  if (isRemote(location)) {
    const r = await ctx.run(ctx.dialect.copyTo(node.compiledCode, location, format, options));
    return { message: `UNLOAD ${r.rowsAffected ?? '?'}`, rowsAffected: r.rowsAffected, kind: 'external', location };
  }
  return replaceFile(location, async (staged) => {
    const r = await ctx.run(ctx.dialect.copyTo(node.compiledCode, staged, format, options));
    return { message: `UNLOAD ${r.rowsAffected ?? '?'}`, rowsAffected: r.rowsAffected, kind: 'external', location };
  });
}

/** Writes a local file through a temporary name beside it, renamed into place: a failed write leaves the previous file. */
async function replaceFile<T>(location: string, write: (staged: string) => Promise<T>): Promise<T> {
  mkdirSync(dirname(location), { recursive: true });
  const staged = join(dirname(location), `.${basename(location)}.tsql_tmp`);
  try {
    const out = await write(staged);
    renameSync(staged, location);
    return out;
  } catch (e) {
    rmSync(staged, { force: true, recursive: true });
    throw e;
  }
}

/**
 * Engines that cannot write files themselves (Postgres): tsql streams the
 * query's result (COPY … TO STDOUT) into a temporary file beside the target
 * and renames it into place, so a failed unload leaves the previous file.
 * An s3:// location: the rows are streamed into a local temporary file that is
 * then uploaded to the location (one PutObject, or a multipart upload for a
 * big file) and deleted. The object appears only once complete, so a failed
 * unload leaves the previous object.
 */
async function unloadThroughClient(ctx: MaterializeContext, node: ModelNode, location: string, format: UnloadFormat, options: Record<string, string | number | boolean>): Promise<MaterializeResult> {
  const unload = ctx.conn.unloadToFile?.bind(ctx.conn);
  if (!unload) throw new Error(`${ctx.dialect.type} cannot unload: its connection does not stream query results to files`);
  const statement = `copy (\n${node.compiledCode}\n) to stdout with (format ${format}, header)`;
  if (isRemote(location)) {
    if (!isS3Url(location)) {
      throw new Error(`${ctx.dialect.type} unloads are written by tsql itself, to a local lake_root or uploaded to s3://; ${location} is neither`);
    }
    parseS3Url(location); // a location that cannot be uploaded to fails before the query runs
    ctx.record(`-- streamed by tsql to a local temporary file\n-- uploaded to ${location}\n${statement}`);
    return withTempFile(`${node.name}.${format}`, async (file) => {
      const rows = await unload(node.compiledCode, file, format, options, ctx.progress);
      await uploadFileToS3(file, location, { contentType: format === 'csv' ? 'text/csv' : 'application/octet-stream' });
      return { message: `UNLOAD ${rows}`, rowsAffected: rows, kind: 'external', location };
    });
  }
  ctx.record(`-- streamed by tsql to ${location}\n${statement}`);
  return replaceFile(location, async (staged) => {
    const rows = await unload(node.compiledCode, staged, format, options, ctx.progress);
    return { message: `UNLOAD ${rows}`, rowsAffected: rows, kind: 'external', location };
  });
}
