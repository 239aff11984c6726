/**
 * Privileges and comments, as Snowflake keeps them per object: GRANT / REVOKE
 * <privilege> ON TABLE|VIEW <name> TO|FROM [ROLE] <role>, SHOW GRANTS ON
 * TABLE|VIEW <name> (Snowflake's columns), COMMENT ON TABLE|VIEW|COLUMN … IS
 * '…'. The engine resolves names and keeps the records in its catalog
 * (ObjectMeta.grants, .comment, .columnComments). Test only.
 */
import { SfError, type StatementResult } from './engine-types.js';
import { compilation } from './errors.js';
import { col } from './duckdb-results.js';
import type { Token } from './sql-lexer.js';

export interface GrantRecord {
  privilege: string;
  role: string;
  created: string;
}

export interface GrantStatement {
  revoke: boolean;
  privileges: string[];
  objectType: 'TABLE' | 'VIEW';
  name: string[];
  role: string;
}

const syntax = (t: Token | undefined) => new SfError('001003', compilation(`syntax error line 1 at position ${t?.start ?? 0} unexpected '${t?.text ?? '<EOF>'}'.`), '42000');

function nameAt(toks: Token[], i: number): { parts: string[]; next: number } {
  const parts: string[] = [];
  let j = i;
  while (toks[j] && (toks[j].type === 'word' || toks[j].type === 'ident')) {
    parts.push(toks[j].value);
    j++;
    if (toks[j]?.text === '.') j++;
    else break;
  }
  if (!parts.length) throw syntax(toks[i]);
  return { parts, next: j };
}

/** GRANT/REVOKE on one table or view to one role (Snowflake's GRANT names one grantee). */
export function parseGrant(toks: Token[]): GrantStatement {
  const revoke = toks[0].value === 'REVOKE';
  let i = 1;
  const privileges: string[] = [];
  while (toks[i] && toks[i].value !== 'ON') {
    if (toks[i].text !== ',') {
      let p = toks[i].value;
      if (p === 'ALL' && toks[i + 1]?.value === 'PRIVILEGES') i++;
      if (p === 'ALL') p = 'ALL';
      privileges.push(p);
    }
    i++;
  }
  if (!privileges.length || toks[i]?.value !== 'ON') throw syntax(toks[i]);
  i++;
  const objectType = toks[i]?.value;
  if (objectType !== 'TABLE' && objectType !== 'VIEW') throw syntax(toks[i]);
  const name = nameAt(toks, i + 1);
  i = name.next;
  if (toks[i]?.value !== (revoke ? 'FROM' : 'TO')) throw syntax(toks[i]);
  i++;
  if (toks[i]?.value === 'ROLE' && toks[i + 1]) i++;
  const role = nameAt(toks, i);
  if (role.parts.length !== 1) throw syntax(toks[i]);
  if (toks[role.next] && toks[role.next].text !== ';') throw syntax(toks[role.next]);
  return { revoke, privileges, objectType, name: name.parts, role: role.parts[0] };
}

export function roleMissing(role: string): SfError {
  return new SfError('002003', compilation(`Role '${role}' does not exist or not authorized.`), '02000');
}

/** Applies a GRANT or REVOKE to an object's records (a second GRANT of the same is a no-op, as in Snowflake). */
export function applyGrant(grants: GrantRecord[], g: GrantStatement, created: string): GrantRecord[] {
  const expand = (p: string) => (p === 'ALL' ? ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES'] : [p]);
  const privileges = g.privileges.flatMap(expand);
  if (g.revoke) return grants.filter((r) => !(r.role === g.role && privileges.includes(r.privilege)));
  const out = [...grants];
  for (const p of privileges) if (!out.some((r) => r.role === g.role && r.privilege === p)) out.push({ privilege: p, role: g.role, created });
  return out;
}

/** SHOW GRANTS ON TABLE|VIEW: the owner's OWNERSHIP row, then each grant to a role. */
export function showGrants(opts: { grants: GrantRecord[]; grantedOn: 'TABLE' | 'VIEW'; qualifiedName: string; owner: string; created: string }): StatementResult {
  const columns = [col('created_on', 'timestamp_ltz'), col('privilege'), col('granted_on'), col('name'), col('granted_to'), col('grantee_name'), col('grant_option'), col('granted_by')];
  const rows = [
    [opts.created, 'OWNERSHIP', opts.grantedOn, opts.qualifiedName, 'ROLE', opts.owner, 'true', opts.owner],
    ...opts.grants.map((g) => [g.created, g.privilege, opts.grantedOn, opts.qualifiedName, 'ROLE', g.role, 'false', opts.owner]),
  ];
  return { columns, rows, kind: 'show' };
}

export interface CommentStatement {
  objectType: 'TABLE' | 'VIEW' | 'COLUMN';
  ifExists: boolean;
  /** the relation's name parts (for COLUMN: without the column) */
  name: string[];
  column?: string;
  text: string;
}

/** COMMENT [IF EXISTS] ON TABLE|VIEW <name> IS '…' and COMMENT ON COLUMN <table>.<column> IS '…'. */
export function parseComment(toks: Token[]): CommentStatement | undefined {
  let i = 1;
  const ifExists = toks[i]?.value === 'IF' && toks[i + 1]?.value === 'EXISTS';
  if (ifExists) i += 2;
  if (toks[i]?.value !== 'ON') throw syntax(toks[i]);
  const objectType = toks[i + 1]?.value;
  if (objectType !== 'TABLE' && objectType !== 'VIEW' && objectType !== 'COLUMN') return undefined;
  const name = nameAt(toks, i + 2);
  const is = toks[name.next];
  const text = toks[name.next + 1];
  if (is?.value !== 'IS' || (text?.type !== 'string' && text?.type !== 'dollar')) throw syntax(is?.value !== 'IS' ? is : text);
  if (objectType === 'COLUMN') {
    if (name.parts.length < 2) throw syntax(toks[i + 2]);
    return { objectType, ifExists, name: name.parts.slice(0, -1), column: name.parts[name.parts.length - 1], text: text.value };
  }
  return { objectType, ifExists, name: name.parts, text: text.value };
}
