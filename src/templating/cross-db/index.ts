import { AGGREGATE_MACROS } from './aggregates.js';
import { ARRAY_MACROS } from './arrays.js';
import { DATE_MACROS } from './dates.js';
import { SERIES_MACROS } from './series.js';
import { SET_MACROS } from './sets.js';
import { STRING_MACROS } from './strings.js';
import { TYPE_MACROS } from './types.js';

/** dbt's cross-database macros, one file per family; each file name is how the manifest names it. */
export const CROSS_DB_MACRO_FILES: ReadonlyArray<{ file: string; text: string }> = [
  { file: '<tsql cross-db macros: dates>', text: DATE_MACROS },
  { file: '<tsql cross-db macros: types>', text: TYPE_MACROS },
  { file: '<tsql cross-db macros: strings>', text: STRING_MACROS },
  { file: '<tsql cross-db macros: aggregates>', text: AGGREGATE_MACROS },
  { file: '<tsql cross-db macros: arrays>', text: ARRAY_MACROS },
  { file: '<tsql cross-db macros: sets>', text: SET_MACROS },
  { file: '<tsql cross-db macros: series>', text: SERIES_MACROS },
];

/** The top-level names of the cross-database macros (what `dbt.<name>` offers). */
export const CROSS_DB_MACRO_NAMES: readonly string[] = CROSS_DB_MACRO_FILES.flatMap((f) =>
  [...f.text.matchAll(/\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]).filter((n) => !n.includes('__')),
);
