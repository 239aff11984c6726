/**
 * The contract between the Snowflake stand-in's two halves (test only):
 * - server.ts speaks the REST protocol snowflake-sdk uses (login, query-request,
 *   result polling, chunks, abort, heartbeat, token renewal, session delete,
 *   telemetry, PUT/GET file transfer) and encodes results as the service does;
 * - engine.ts executes Snowflake SQL on DuckDB (translate.ts turns it into
 *   DuckDB SQL) and keeps the Snowflake-side state: databases, schemas,
 *   stages, external tables, session context.
 *
 * Values cross this boundary as plain JS values; the server alone knows the
 * wire encoding (JSON rowset strings, rowtype metadata).
 */

/** Snowflake's type names as they appear in a result's `rowtype[].type`. */
export type SfType =
  | 'fixed'
  | 'real'
  | 'text'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timestamp_ntz'
  | 'timestamp_ltz'
  | 'timestamp_tz'
  | 'variant'
  | 'object'
  | 'array'
  | 'binary';

export interface SfColumn {
  /** as Snowflake reports it: unquoted names upper case */
  name: string;
  type: SfType;
  /** fixed: precision and scale (NUMBER(38,0) for integers) */
  precision?: number;
  scale?: number;
  /** text/binary: maximum length */
  length?: number;
  nullable: boolean;
  database?: string;
  schema?: string;
  table?: string;
}

/**
 * One cell, by column type:
 * - fixed: bigint, number or a decimal string ('12.50000')
 * - real: number
 * - text: string
 * - boolean: boolean
 * - date: 'YYYY-MM-DD'
 * - time: 'HH:MM:SS[.fffffffff]'
 * - timestamp_ntz / timestamp_ltz / timestamp_tz: 'YYYY-MM-DD HH:MM:SS[.fffffffff]' (UTC for ltz/tz)
 * - variant / object / array: the value's JSON text
 * - binary: hex string
 * - null for SQL NULL
 */
export type SfValue = string | number | bigint | boolean | null;

/** Snowflake's statement type ids as the result reports them (data.statementTypeId). */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'merge' | 'multi_table_insert' | 'copy' | 'unload' | 'ddl' | 'transaction' | 'show' | 'put' | 'get' | 'use' | 'alter_session' | 'other';

export interface StatementResult {
  columns: SfColumn[];
  rows: SfValue[][];
  kind: StatementKind;
  /** DML: rows inserted/updated/deleted (reported as the sdk's getNumUpdatedRows / the result's stats) */
  rowsAffected?: number;
}

/** A bind as snowflake-sdk sends it in query-request `bindings`: { "1": { type: 'TEXT', value: 'x' } }; array binds have array values. */
export interface Bind {
  type: string;
  value: string | null | Array<string | null>;
}

/** The session's current context, reported back in results (finalDatabaseName etc). */
export interface SessionContext {
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  /** session parameters set through login or ALTER SESSION (upper-case names) */
  parameters: Record<string, string | number | boolean>;
}

/** What PUT / GET resolve to: the local directory standing in for the stage's storage. */
export interface StageLocation {
  /** absolute local directory (the server answers with locationType LOCAL_FS) */
  directory: string;
  /** the path below it that the command names (may be '') */
  path: string;
}

export interface EngineSession {
  readonly context: SessionContext;
  /**
   * Runs one statement. `signal` aborts it (abort-request, SYSTEM$CANCEL_QUERY,
   * session delete): the engine interrupts DuckDB and rejects with an SfError
   * whose code is '000604' ("SQL execution canceled").
   */
  execute(sql: string, binds: Record<string, Bind> | undefined, signal: AbortSignal): Promise<StatementResult>;
  /** PUT file://… @stage/path and GET @stage/path file://…: where the stage's files live. */
  resolveStage(stage: string): StageLocation;
  close(): Promise<void>;
}

export interface Engine {
  /** A session for a login: its initial database/schema/warehouse/role and session parameters (upper-case names). */
  openSession(initial: Omit<SessionContext, 'parameters'> & { parameters?: Record<string, string | number | boolean> }): Promise<EngineSession>;
  close(): Promise<void>;
}

/** A Snowflake error as the service reports it: code (e.g. '002003'), message, SQL state. */
export class SfError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sqlState: string = '42000',
  ) {
    super(message);
    this.name = 'SfError';
  }
}
