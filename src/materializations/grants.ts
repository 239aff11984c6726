import type { GrantMap, Relation, RelationKind } from '../adapters/types.js';
import { asStringList, isPlainObject, type Config } from '../project/config-merge.js';
import type { MaterializeContext } from './context.js';

/**
 * A node's `grants:` as privilege → grantees (a single grantee becomes a
 * list). Undefined when none is configured: like dbt, an empty `grants: {}`
 * changes nothing on the relation, not even a revoke.
 */
export function configuredGrants(config: Config): GrantMap | undefined {
  const g = config.grants;
  if (!isPlainObject(g)) return undefined;
  const out: GrantMap = {};
  for (const [privilege, grantees] of Object.entries(g)) {
    const list = asStringList(grantees).map((x) => x.trim()).filter(Boolean);
    if (list.length) out[privilege.replace(/^\+/, '').trim().toLowerCase()] = [...new Set(list)];
  }
  return Object.keys(out).length ? out : undefined;
}

export interface GrantOptions {
  /**
   * The relation kept the grants it had: an incremental run, or a Snowflake
   * relation replaced with `copy_grants`. Then its grants are read, what the
   * config no longer lists is revoked and what is missing granted. Otherwise the
   * relation is new and everything the config lists is granted.
   */
  carriedOver: boolean;
}

/**
 * The REVOKE and GRANT statements that make `rel`'s privileges what the
 * config lists (revokes first). None on an engine without privileges (DuckDB:
 * the compiler warns where grants are configured) or without grants configured.
 */
export async function grantStatements(ctx: MaterializeContext, rel: Relation, kind: RelationKind, config: Config, opts: GrantOptions): Promise<string[]> {
  const d = ctx.dialect;
  const wanted = configuredGrants(config);
  if (!wanted || !d.grant || !d.revoke) return [];
  const name = (g: string) => d.granteeName?.(g) ?? g;
  let current: GrantMap = {};
  if (opts.carriedOver && ctx.adapter.readGrants) {
    if (d.showGrants) ctx.record(d.showGrants(rel, kind));
    current = await ctx.adapter.readGrants(ctx.conn, rel, kind);
  }
  const out: string[] = [];
  for (const [privilege, holders] of Object.entries(current)) {
    const keep = new Set((wanted[privilege] ?? []).map(name));
    const gone = holders.filter((h) => !keep.has(h));
    if (gone.length) out.push(...d.revoke(rel, kind, privilege, gone));
  }
  for (const [privilege, grantees] of Object.entries(wanted)) {
    const held = new Set(current[privilege] ?? []);
    const missing = grantees.filter((g) => !held.has(name(g)));
    if (missing.length) out.push(...d.grant(rel, kind, privilege, missing));
  }
  return out;
}

/** Runs grantStatements: the one call a materialization (or a snapshot) makes once its relation is built. */
export async function applyGrants(ctx: MaterializeContext, rel: Relation, kind: RelationKind, config: Config, opts: GrantOptions): Promise<string[]> {
  const sqls = await grantStatements(ctx, rel, kind, config, opts);
  for (const sql of sqls) await ctx.run(sql);
  return sqls;
}
