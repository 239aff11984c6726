/**
 * Puts String.prototype back in V8's fast mode after a library made it a
 * prototype of its own objects (nunjucks' SafeString: `Object.create(String.prototype)`).
 *
 * V8 turns an object into a dictionary ("slow") one when it first becomes an
 * ordinary object's prototype, and makes it fast again only when an inline
 * cache looks a property up through it on an object. Primitive strings never
 * do that, so after nunjucks loads every `s.charCodeAt(i)`, `s.slice()` … of
 * the process took a slow path: reading a seed file ran 1.5–3 times slower
 * (bench/README.md). A few lookups through a String wrapper object, from a
 * function called often enough to get an inline cache, make it fast again.
 * Harmless where V8 behaves otherwise.
 */
export function restoreFastStringPrototype(): void {
  const wrapper = Object('') as { charCodeAt: unknown };
  for (let i = 0; i < 64; i++) lookUp(wrapper);
}

function lookUp(wrapper: { charCodeAt: unknown }): unknown {
  return wrapper.charCodeAt;
}
