import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type pg from 'pg';
import { WarehouseError } from '../../errors.js';

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * The profile keys naming libpq's certificate files: the CA certificates the
 * server's certificate must be signed by, and the client's certificate and
 * private key (for servers that ask for one, pg_hba.conf `clientcert=`).
 */
export const SSL_FILE_KEYS = ['sslrootcert', 'sslcert', 'sslkey'] as const;

/** `sslrootcert: system`: trust the CAs the system trusts (libpq 16), not a file. */
export const SYSTEM_ROOTS = 'system';
export type SslFiles = Partial<Record<(typeof SSL_FILE_KEYS)[number], string>>;

/**
 * libpq's sslmode as pg's `ssl` option (node's tls.connect options), with the
 * files' contents when given. verify-ca checks that the certificate is signed
 * by a trusted CA (sslrootcert's, else the system's) but not the host name;
 * verify-full checks both (`sslrootcert: system` trusts the system's CAs, as
 * in libpq 16, and asks for verify-full). As in libpq, require (and prefer, when the server
 * speaks SSL) with a root certificate file checks the CA as verify-ca does;
 * without one they encrypt without checking. `prefer` tries SSL first (see
 * PgPoolOptions.sslFallback).
 */
export function sslOption(mode: SslMode, files: SslFiles = {}, projectDir = process.cwd()): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  const read = (key: keyof SslFiles) => {
    const path = files[key];
    if (path === undefined || (key === 'sslrootcert' && path === SYSTEM_ROOTS)) return undefined;
    try {
      // relative to the project directory, or absolute
      return readFileSync(resolve(projectDir, path), 'utf8');
    } catch (e) {
      // the key and path only: never the contents of a key file
      throw new WarehouseError(`cannot read ${key} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const ca = read('sslrootcert');
  const client = { ...(files.sslcert !== undefined ? { cert: read('sslcert') } : {}), ...(files.sslkey !== undefined ? { key: read('sslkey') } : {}) };
  const withCa = ca !== undefined ? { ca } : {};
  const checkCa = mode === 'verify-ca' || mode === 'verify-full' || files.sslrootcert !== undefined;
  if (!checkCa) return { rejectUnauthorized: false, ...client };
  if (mode === 'verify-full') return { rejectUnauthorized: true, ...withCa, ...client };
  return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...withCa, ...client };
}
