/**
 * Redshift's users, groups and roles on PostgreSQL's roles (test only).
 *
 * Redshift keeps three kinds of principal, each its own namespace: users, groups
 * (`GRANT … TO GROUP g`) and roles (`TO ROLE r`). PostgreSQL has roles only, so
 * a user `u` is the role `u`, a group `g` the role `group:g` and a role `r` the
 * role `role:r`; svv_relation_privileges (catalog.ts) reads the kind back from
 * that name. Translated here: CREATE/DROP USER, GROUP and ROLE, ALTER GROUP …
 * ADD/DROP USER, GRANT ROLE … TO, and the grantee lists of GRANT and REVOKE.
 */
import { Cursor, identName, kw, quoteIdent, type Token } from './sql-lexer.js';
import type { Translation } from './translate.js';

export const GROUP_PREFIX = 'group:';
export const ROLE_PREFIX = 'role:';

/** Redshift privileges PostgreSQL has no counterpart for. */
const UNSUPPORTED_PRIVILEGES = new Set(['drop', 'alter', 'assumerole']);

const err = (message: string, code = '0A000'): Translation => ({ kind: 'error', message, code });

/**
 * The translation of a statement about principals or privileges; undefined for
 * any other statement. `rewrite` applies the stand-in's usual rewriting (names
 * of the connected database, folding) to the part naming the objects.
 */
export function translatePrincipals(tokens: Token[], rewrite: (tokens: Token[]) => string): Translation | undefined {
  const c = new Cursor(tokens);
  const [k0, k1] = [c.peekKw(0), c.peekKw(1)];
  if (k0 === 'create' && (k1 === 'user' || k1 === 'group' || k1 === 'role')) return createPrincipal(c);
  if (k0 === 'drop' && (k1 === 'user' || k1 === 'group' || k1 === 'role')) return dropPrincipals(c);
  if (k0 === 'alter' && k1 === 'group') return alterGroup(c);
  if (k0 === 'grant' || k0 === 'revoke') return grantOrRevoke(c, rewrite);
  return undefined;
}

/** The PostgreSQL role a Redshift principal is. */
export function pgRoleName(kind: 'user' | 'group' | 'role', name: string): string {
  return kind === 'group' ? `${GROUP_PREFIX}${name}` : kind === 'role' ? `${ROLE_PREFIX}${name}` : name;
}

/** CREATE USER u [WITH] [PASSWORD '…' | PASSWORD DISABLE] [other options, accepted and not emulated]; CREATE GROUP g [WITH USER a, b]; CREATE ROLE r. */
function createPrincipal(c: Cursor): Translation {
  c.expect('create');
  const kind = c.next()!.text.toLowerCase() as 'user' | 'group' | 'role';
  const role = quoteIdent(pgRoleName(kind, name(c)));
  c.accept('with');
  if (kind === 'role') {
    if (!c.atEnd()) return err('CREATE ROLE … EXTERNALID is not supported by the Redshift stand-in');
    return { kind: 'sql', sql: `create role ${role} nologin` };
  }
  if (kind === 'group') {
    const members = c.accept('user') ? nameList(c) : [];
    const sql = [`create role ${role} nologin`, ...(members.length ? [`grant ${role} to ${members.map(quoteIdent).join(', ')}`] : [])];
    return { kind: 'sql', sql: sql.join(';\n') };
  }
  let password = '';
  while (!c.atEnd()) {
    if (c.accept('password')) {
      if (c.accept('disable')) continue;
      password = ` password ${quoteLiteral(c.expectString())}`;
    } else c.next();
  }
  return { kind: 'sql', sql: `create role ${role} login${password}` };
}

/** DROP USER|GROUP|ROLE [IF EXISTS] a [, b] [FORCE | RESTRICT]. */
function dropPrincipals(c: Cursor): Translation {
  c.expect('drop');
  const kind = c.next()!.text.toLowerCase() as 'user' | 'group' | 'role';
  const ifExists = c.accept('if', 'exists') ? 'if exists ' : '';
  const names = nameList(c);
  return { kind: 'sql', sql: `drop role ${ifExists}${names.map((n) => quoteIdent(pgRoleName(kind, n))).join(', ')}` };
}

/** ALTER GROUP g ADD|DROP USER a [, b]; RENAME TO is not emulated. */
function alterGroup(c: Cursor): Translation {
  c.expect('alter', 'group');
  const group = quoteIdent(pgRoleName('group', name(c)));
  if (c.accept('add', 'user')) return { kind: 'sql', sql: `grant ${group} to ${nameList(c).map(quoteIdent).join(', ')}` };
  if (c.accept('drop', 'user')) return { kind: 'sql', sql: `revoke ${group} from ${nameList(c).map(quoteIdent).join(', ')}` };
  return err('ALTER GROUP … RENAME TO is not supported by the Redshift stand-in');
}

/** Names separated by commas, to the end of the statement (or a word that is not a name). */
function nameList(c: Cursor): string[] {
  const out = [name(c)];
  while (c.acceptOp(',')) out.push(name(c));
  return out;
}

/** A principal's name, folded to lower case as Redshift does (quoted or not). */
function name(c: Cursor): string {
  return c.expectIdent().toLowerCase();
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * GRANT … TO grantees / REVOKE … FROM grantees: each grantee `name` (a user),
 * `GROUP name`, `ROLE name` or PUBLIC becomes its PostgreSQL role; `GRANT ROLE r
 * TO …` grants the role itself. The object and privilege list go to PostgreSQL
 * as written.
 */
function grantOrRevoke(c: Cursor, rewrite: (tokens: Token[]) => string): Translation | undefined {
  const verb = c.peekKw(0);
  const sig = c.sig;
  // the privileges: GRANT ROLE r (membership) or a list up to ON
  if (c.peekKw(1) === 'role') {
    const role = quoteIdent(pgRoleName('role', identName(sig[2]).toLowerCase()));
    const joiner = kw(sig[3]);
    if ((verb === 'grant' && joiner !== 'to') || (verb === 'revoke' && joiner !== 'from')) return err(`${verb.toUpperCase()} ROLE: expected ${verb === 'grant' ? 'TO' : 'FROM'}`, '42601');
    const { list, rest } = grantees(sig, 4);
    if (list.error) return err(list.error, '42601');
    return { kind: 'sql', sql: `${verb} ${role} ${joiner} ${list.names.join(', ')}${rest}` };
  }
  const on = sig.findIndex((t) => kw(t) === 'on');
  // PostgreSQL's own form (GRANT role TO role) is not Redshift's: left as written
  if (on < 0) return undefined;
  for (let k = 1; k < on; k++) {
    if (UNSUPPORTED_PRIVILEGES.has(kw(sig[k]))) return err(`the ${kw(sig[k]).toUpperCase()} privilege is not supported by the Redshift stand-in`);
  }
  const joinWord = verb === 'grant' ? 'to' : 'from';
  const at = sig.findIndex((t, k) => k > on && kw(t) === joinWord);
  if (at < 0) return err(`${verb.toUpperCase()}: expected ${joinWord.toUpperCase()}`, '42601');
  const { list, rest } = grantees(sig, at + 1);
  if (list.error) return err(list.error, '42601');
  const head = c.tokens.slice(0, c.tokens.indexOf(sig[at]) + 1);
  return { kind: 'sql', sql: `${rewrite(head)} ${list.names.join(', ')}${rest}` };
}

/** The grantee list from sig[from]: rendered PostgreSQL role names, and what follows the list (WITH GRANT OPTION, CASCADE …). */
function grantees(sig: Token[], from: number): { list: { names: string[]; error?: string }; rest: string } {
  const names: string[] = [];
  let k = from;
  for (;;) {
    const word = kw(sig[k]);
    if (word === 'group' || word === 'role' || word === 'user') {
      const t = sig[k + 1];
      if (!t || (t.type !== 'word' && t.type !== 'ident')) return { list: { names, error: `expected a name after ${word.toUpperCase()}` }, rest: '' };
      names.push(quoteIdent(pgRoleName(word === 'user' ? 'user' : word, identName(t).toLowerCase())));
      k += 2;
    } else if (word === 'public') {
      names.push('public');
      k += 1;
    } else {
      const t = sig[k];
      if (!t || (t.type !== 'word' && t.type !== 'ident')) return { list: { names, error: 'expected a grantee' }, rest: '' };
      names.push(quoteIdent(identName(t).toLowerCase()));
      k += 1;
    }
    if (sig[k]?.type === 'op' && sig[k].text === ',') {
      k += 1;
      continue;
    }
    break;
  }
  const rest = sig
    .slice(k)
    .map((t) => t.text)
    .join(' ');
  return { list: { names }, rest: rest ? ` ${rest}` : '' };
}
