import type { z } from 'zod';
import type { Adapter } from './types.js';

/** What the core needs to know about an engine before (and without) connecting. */
export interface AdapterFactory {
  readonly type: string;
  readonly outputSchema: z.ZodType<Record<string, unknown>>;
  /**
   * Output keys naming local files the adapter reads when it connects
   * (relative to the project directory, or absolute): each one given must be
   * a readable file before anything runs.
   */
  readonly fileKeys: readonly string[];
  /** A value a file key may take that names no file (`sslrootcert: system`), by key. */
  readonly fileKeyWords: Readonly<Record<string, string>>;
  /** Database and schema that relations default to. */
  defaults(output: Record<string, unknown>): { database: string | undefined; schema: string; threads: number };
  create(output: Record<string, unknown>, opts: { projectDir: string; threads: number }): Adapter;
}

/**
 * An engine's factory from its validated output type: the output schema, how
 * the output names its database, and the adapter's constructor. Schema and
 * threads are every output's `schema` and `threads` keys.
 */
export function defineAdapter<O extends { schema: string; threads: number }>(spec: {
  type: string;
  outputSchema: z.ZodType<O>;
  databaseOf(output: O): string | undefined;
  fileKeys?: readonly string[];
  fileKeyWords?: Readonly<Record<string, string>>;
  create(output: O, opts: { projectDir: string; threads: number }): Adapter;
}): AdapterFactory {
  return {
    type: spec.type,
    outputSchema: spec.outputSchema as unknown as z.ZodType<Record<string, unknown>>,
    fileKeys: spec.fileKeys ?? [],
    fileKeyWords: spec.fileKeyWords ?? {},
    defaults(output) {
      const o = output as unknown as O;
      return { database: spec.databaseOf(o), schema: o.schema, threads: o.threads };
    },
    create: (output, opts) => spec.create(output as unknown as O, opts),
  };
}
