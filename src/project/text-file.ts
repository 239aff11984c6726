import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a project file as UTF-8 text. Invalid UTF-8 is an error naming the
 * file and the byte offset of the first bad sequence (rather than text
 * silently altered to U+FFFD); `binary` also refuses NUL bytes, which no
 * SQL or CSV file holds.
 */
export function readTextFile(absPath: string, relPath: string, opts: { binary?: 'refuse' } = {}): string {
  const bytes = readFileSync(absPath);
  if (opts.binary === 'refuse') {
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new UserError(`binary file, not text (a NUL byte at byte offset ${nul})`, { file: relPath });
  }
  return decodeUtf8(bytes, relPath);
}

export function decodeUtf8(bytes: Uint8Array, relPath: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const at = Math.max(0, invalidUtf8Offset(bytes));
    throw new UserError(`not valid UTF-8: byte 0x${bytes[at].toString(16).padStart(2, '0')} at byte offset ${at}`, { file: relPath }, { hint: 'save the file as UTF-8' });
  }
}

/** The offset where the first invalid UTF-8 sequence starts (-1 when there is none). */
export function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || i + len > b.length) return i;
    // the second byte's range excludes overlong forms, surrogates and code points past U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k < len; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += len;
  }
  return -1;
}
