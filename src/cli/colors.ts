import picocolors from 'picocolors';

/**
 * Colours, always on: whether to use them is tsql's choice (a terminal, --use-colors /
 * TSQL_USE_COLORS, NO_COLOR), made where the output is written; picocolors' own guess has no
 * colour at all without a terminal, which made --use-colors do nothing in CI logs.
 */
export const pc = picocolors.createColors(true);
