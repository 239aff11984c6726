/**
 * A small strict XML 1.0 parser for tests: elements, attributes, text,
 * character and the five predefined entity references, comments, CDATA and the
 * declaration. It throws on anything a conforming parser rejects that a report
 * writer could get wrong: a bare `&` or `<`, an unknown entity, a duplicate
 * attribute, a mismatched end tag, characters XML cannot hold, content after
 * the root.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** the element's own text (its children's not included), entities decoded */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML line ${line}: ${why}`);
  };
  const m = FORBIDDEN.exec(source);
  if (m) {
    i = m.index;
    fail(`character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} is not allowed`);
  }
  const decode = (raw: string, inAttr: boolean): string =>
    raw.replace(/&([^;&\s]*);?|[<]/g, (all, ref: string | undefined) => {
      if (all === '<') return fail(inAttr ? "'<' in an attribute value" : "'<' in text");
      if (!all.endsWith(';')) return fail(`'&' not starting a reference: ${all}`);
      if (ref!.startsWith('#')) {
        const c = String.fromCodePoint(ref!.startsWith('#x') ? parseInt(ref!.slice(2), 16) : parseInt(ref!.slice(1), 10));
        if (FORBIDDEN.test(c)) fail(`character reference &${ref}; is not allowed`);
        return c;
      }
      if (!(ref! in ENTITIES)) return fail(`unknown entity &${ref};`);
      return ENTITIES[ref!];
    });
  const skipSpace = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unclosed declaration');
        i = end + 2;
      } else return;
    }
  };
  const name = (): string => {
    const n = NAME.exec(source.slice(i));
    if (!n) return fail('a name was expected');
    i += n[0].length;
    return n[0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail("'<' expected");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('space expected between attributes');
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute '${key}' on <${el.name}>`);
      skipSpace();
      if (source[i] !== '=') fail(`'=' expected after ${key}`);
      i++;
      skipSpace();
      const q = source[i];
      if (q !== '"' && q !== "'") fail(`quoted value expected for ${key}`);
      const end = source.indexOf(q, i + 1);
      if (end < 0) fail(`unclosed value of ${key}`);
      // raw newlines and tabs in values become spaces (attribute value normalisation)
      el.attrs[key] = decode(source.slice(i + 1, end).replace(/[\t\n\r]/g, ' '), true);
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`<${el.name}> is not closed`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (source[i] !== '>') fail("'>' expected");
        i++;
        return el;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unclosed CDATA');
        el.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (source[i] === '<') {
        el.children.push(element());
      } else {
        const end = source.indexOf('<', i);
        const raw = source.slice(i, end < 0 ? source.length : end);
        if (raw.includes(']]>')) fail("']]>' in text");
        el.text += decode(raw, false);
        i = end < 0 ? source.length : end;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i < source.length) fail('content after the root element');
  return root;
}

/** Child elements with that name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
