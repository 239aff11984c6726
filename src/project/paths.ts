import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Where a path really leads: the path made absolute, with every symlink in
 * the part that exists followed (a dangling link too: writing through it
 * would create its target). The part that does not exist yet is appended as
 * written, so a file about to be created can be checked before it is.
 */
export function realPath(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const parts = current.split(sep).filter(Boolean);
    let done: string = sep;
    let i = 0;
    let jumped = false;
    for (; i < parts.length; i++) {
      const next = join(done, parts[i]);
      let st;
      try {
        st = lstatSync(next);
      } catch {
        break; // the rest does not exist yet
      }
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(next);
        } catch {
          // dangling: follow the link by hand, then keep walking from its target
          target = resolve(dirname(next), readlinkSync(next));
          current = join(target, ...parts.slice(i + 1));
          jumped = true;
          break;
        }
        done = target;
      } else {
        done = next;
      }
    }
    if (!jumped) return i < parts.length ? join(done, ...parts.slice(i)) : done;
  }
  return current; // a loop of links: nothing can be created through it anyway
}

/** True when `inner` is `outer` itself or lies below it (both real, absolute paths). */
export function isInside(outer: string, inner: string, opts: { strictly?: boolean } = {}): boolean {
  const rel = relative(outer, inner);
  if (rel === '') return !opts.strictly;
  return rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

/**
 * Resolves `path` (relative to `base`) following symlinks and says whether it
 * stays inside `root` (itself resolved the same way). `real` is where it leads.
 */
export function resolveInside(root: string, base: string, path: string, opts: { strictly?: boolean } = {}): { inside: boolean; real: string } {
  const real = realPath(resolve(base, path));
  return { inside: isInside(realPath(root), real, opts), real };
}
