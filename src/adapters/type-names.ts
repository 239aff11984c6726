/**
 * One spelling per SQL type, so a contract's `data_type` can be compared with
 * what the catalog reports: aliases fold (int, int4, integer → integer;
 * text, varchar, string → varchar; decimal, number → numeric), parameters stay
 * (numeric(10,2)), spaces and case do not matter.
 */
const ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  signed: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  long: 'bigint',
  int2: 'smallint',
  smallint: 'smallint',
  short: 'smallint',
  int1: 'tinyint',
  tinyint: 'tinyint',
  hugeint: 'hugeint',
  float8: 'double',
  double: 'double',
  'double precision': 'double',
  float: 'double',
  float4: 'real',
  real: 'real',
  text: 'varchar',
  string: 'varchar',
  varchar: 'varchar',
  'character varying': 'varchar',
  'char varying': 'varchar',
  nvarchar: 'varchar',
  bpchar: 'char',
  char: 'char',
  character: 'char',
  bool: 'boolean',
  boolean: 'boolean',
  logical: 'boolean',
  decimal: 'numeric',
  numeric: 'numeric',
  number: 'numeric',
  date: 'date',
  timestamp: 'timestamp',
  datetime: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamp_ntz: 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  timestamp_tz: 'timestamptz',
  time: 'time',
  'time without time zone': 'time',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
};

export function canonicalTypeName(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
  const m = /^([a-z_][a-z0-9_ ]*?)(\(.*\))?(\[\])?$/.exec(t);
  if (!m) return t;
  const base = ALIASES[m[1]] ?? m[1];
  return `${base}${m[2] ?? ''}${m[3] ?? ''}`;
}

/**
 * Whether a column's actual type satisfies its contract type: the same
 * canonical type, or one side names the type without parameters and the
 * other has it with some (a contract's `varchar` takes varchar(20); PostgreSQL
 * reports an expression's numeric without the precision the table will have).
 * Both with parameters, they must agree: numeric(10,2) is not numeric(12,2).
 */
export function typeSatisfies(contract: string, actual: string, canonical: (t: string) => string): boolean {
  const want = canonical(contract);
  const got = canonical(actual);
  if (want === got) return true;
  const bare = (t: string) => t.replace(/\(.*\)/, '');
  if (!want.includes('(') || !got.includes('(')) return bare(got) === bare(want);
  return false;
}
