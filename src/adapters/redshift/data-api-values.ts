import type { ColumnMetadata, Field } from '@aws-sdk/client-redshift-data';

/**
 * Data API result values as the core expects them (the same as the pg
 * driver's for Redshift): integers and floats as numbers (int8 as text when
 * it does not fit a number exactly), numeric as its exact text, booleans,
 * dates and timestamps as their text, NULL as null.
 */
export function fieldValue(field: Field, column?: ColumnMetadata): unknown {
  if (field.isNull) return null;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue);
  if (field.stringValue !== undefined) return fromText(field.stringValue, (column?.typeName ?? '').toLowerCase());
  return null;
}

/** Text the API returns for a typed column, converted by the column's type name. */
function fromText(s: string, typeName: string): unknown {
  switch (typeName) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : s;
    }
    case 'float4':
    case 'float8':
    case 'float':
    case 'real':
    case 'double precision': {
      const n = Number(s);
      return Number.isNaN(n) && !/^nan$/i.test(s.trim()) ? s : n;
    }
    case 'bool':
    case 'boolean': {
      const v = s.trim().toLowerCase();
      if (v === 't' || v === 'true') return true;
      if (v === 'f' || v === 'false') return false;
      return s;
    }
    default:
      return s;
  }
}

/** The name a column has in result rows (as the pg driver: the column's label). */
export function columnName(column: ColumnMetadata, index: number): string {
  return column.label || column.name || `?column?${index}`;
}

export function recordToRow(record: Field[], columns: ColumnMetadata[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  record.forEach((f, i) => {
    const meta = columns[i];
    row[meta ? columnName(meta, i) : `column${i + 1}`] = fieldValue(f, meta);
  });
  return row;
}
