/**
 * Errors meant for the user. A UserError is a mistake in the project, profile or
 * command line: it is printed as one line naming the place, never with a stack
 * trace, and the CLI exits with code 2 before anything is executed.
 */
export interface SourcePlace {
  /** Path relative to the project directory (or absolute when outside it). */
  file?: string;
  /** 1-based line number. */
  line?: number;
  column?: number;
}

/**
 * A place found only when a message is written: finding a line costs a search
 * of the text, and most configs give no message. Where the place is at hand, `() => place`.
 */
export type LazyPlace = () => SourcePlace;

export class UserError extends Error {
  readonly place: SourcePlace;
  readonly hint?: string;
  /** Optional short excerpt of the offending text, printed under the line. */
  readonly excerpt?: string;

  constructor(message: string, place: SourcePlace = {}, opts: { hint?: string; excerpt?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.place = place;
    this.hint = opts.hint;
    this.excerpt = opts.excerpt;
  }

  /** `file:line: message (hint)` — the single line the CLI prints. */
  format(): string {
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${placePrefix(this.place)}${this.message}${hint}`;
  }
}

/** Several user errors found together (compilation collects, it does not stop at the first). */
export class UserErrors extends Error {
  readonly errors: UserError[];
  constructor(errors: UserError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'UserErrors';
    this.errors = errors;
  }
}

export function formatPlace(place: SourcePlace): string {
  if (!place.file) return '';
  let s = place.file;
  if (place.line) s += `:${place.line}`;
  if (place.line && place.column) s += `:${place.column}`;
  return s;
}

/** `file:line: ` before a message, or nothing when the place has no file. */
export function placePrefix(place: SourcePlace): string {
  const where = formatPlace(place);
  return where ? `${where}: ` : '';
}

/** Collects user errors; throws them together at a checkpoint. */
export class ErrorCollector {
  readonly errors: UserError[] = [];
  add(err: UserError): void {
    this.errors.push(err);
  }
  /** Runs fn, collecting a UserError (or UserErrors) instead of throwing it. */
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UserError) this.errors.push(e);
      else if (e instanceof UserErrors) this.errors.push(...e.errors);
      else throw e;
      return undefined;
    }
  }
  throwIfAny(): void {
    if (this.errors.length === 1) throw this.errors[0];
    if (this.errors.length > 1) throw new UserErrors(this.errors);
  }
}

export function isUserError(e: unknown): e is UserError | UserErrors {
  return e instanceof UserError || e instanceof UserErrors;
}

/**
 * The warehouse could not be reached or opened (not a mistake in the project):
 * one line, exit code 1, no stack trace.
 */
export class WarehouseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseError';
  }
}
