/**
 * The docs site in the browser: a classic script (file:// pages cannot load
 * modules) over window.TSQL_DOCS (tsql-docs-data.js) and dagre's layout. Text
 * from the project is always set as text; only descriptions, rendered and
 * sanitised when the site was generated, are set as HTML.
 */
import type { SiteColumn, SiteData, SiteMacro, SiteNode } from '../site-data.js';

interface DagreGraph {
  setGraph(o: Record<string, unknown>): void;
  setDefaultEdgeLabel(f: () => Record<string, unknown>): void;
  setNode(id: string, o: { width: number; height: number }): void;
  setEdge(a: string, b: string): void;
  node(id: string): { x: number; y: number; width: number; height: number };
  edge(a: string, b: string): { points: Array<{ x: number; y: number }> };
  edges(): Array<{ v: string; w: string }>;
  graph(): { width?: number; height?: number };
}
declare const dagre: { graphlib: { Graph: new () => DagreGraph }; layout(g: DagreGraph): void };

(() => {
  const DATA = (window as unknown as { TSQL_DOCS: SiteData }).TSQL_DOCS;
  const byId = new Map<string, SiteNode>(DATA.nodes.map((n) => [n.id, n]));
  const macroById = new Map<string, SiteMacro>(DATA.macros.map((m) => [m.id, m]));
  const GRAPH_TYPES = new Set(['model', 'seed', 'source', 'snapshot', 'exposure', 'analysis']);
  const graphNodes = DATA.nodes.filter((n) => GRAPH_TYPES.has(n.type));
  const TYPE_NAMES: Record<string, string> = { model: 'Models', source: 'Sources', seed: 'Seeds', snapshot: 'Snapshots', exposure: 'Exposures', analysis: 'Analyses', test: 'Data tests', unit_test: 'Unit tests' };

  // ------------------------------------------------------------------ small DOM helpers
  type Child = Node | string | null | undefined | false;
  function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return el;
  }
  const SVG_NS = 'http://www.w3.org/2000/svg';
  function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    return el;
  }
  /** HTML made at generate time from a description (markdown, sanitised). */
  /** Children without the empty ones, for replaceChildren. */
  const kids = (...children: Child[]): Array<Node | string> => children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false);
  function html(markup: string, cls = 'description'): HTMLElement {
    const d = h('div', { class: cls });
    d.innerHTML = markup;
    return d;
  }
  const nodeHref = (id: string, column?: string) => `#/node/${encodeURIComponent(id)}${column ? `/${encodeURIComponent(column)}` : ''}`;
  const macroHref = (id: string) => `#/macro/${encodeURIComponent(id)}`;
  function nodeLink(id: string, text?: string): HTMLElement {
    const n = byId.get(id);
    if (!n) {
      const m = macroById.get(id);
      return m ? h('a', { href: macroHref(id) }, m.name) : h('span', { class: 'muted' }, id);
    }
    return h('a', { href: nodeHref(id) }, text ?? n.label);
  }
  function statusChip(status: string | undefined): HTMLElement | null {
    if (!status) return null;
    return h('span', { class: `status ${status}`, title: 'result of the last run (run_results.json)' }, status);
  }
  const number = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  function bytes(v: number): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let x = v;
    let i = 0;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${x.toFixed(i ? 1 : 0)} ${units[i]}`;
  }

  // ------------------------------------------------------------------ column lineage paths
  const colKey = (node: string, column: string) => `${node}\u0000${column.toLowerCase()}`;
  const upstreamOf = new Map<string, string[]>();
  const downstreamOf = new Map<string, string[]>();
  for (const n of graphNodes) {
    for (const c of n.lineage?.columns ?? []) {
      const k = colKey(n.id, c.name);
      for (const u of c.upstream) {
        const uk = colKey(u.node, u.column);
        upstreamOf.set(k, [...(upstreamOf.get(k) ?? []), uk]);
        downstreamOf.set(uk, [...(downstreamOf.get(uk) ?? []), k]);
      }
    }
  }
  interface Path {
    selected: string;
    up: Set<string>;
    down: Set<string>;
    /** column-to-column steps on the path: [from, to] */
    steps: Array<[string, string, 'up' | 'down']>;
  }
  function pathOf(node: string, column: string): Path {
    const selected = colKey(node, column);
    const walk = (index: Map<string, string[]>, dir: 'up' | 'down') => {
      const seen = new Set<string>();
      const steps: Path['steps'] = [];
      const queue = [selected];
      while (queue.length) {
        const k = queue.shift()!;
        for (const next of index.get(k) ?? []) {
          steps.push(dir === 'up' ? [next, k, dir] : [k, next, dir]);
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      return { seen, steps };
    };
    const up = walk(upstreamOf, 'up');
    const down = walk(downstreamOf, 'down');
    return { selected, up: up.seen, down: down.seen, steps: [...up.steps, ...down.steps] };
  }
  /** The graph nodes of `+id+`: the node, its ancestors and its descendants. */
  function neighbourhood(id: string): Set<string> {
    const out = new Set<string>([id]);
    const go = (start: string, next: (n: SiteNode) => string[]) => {
      const queue = [start];
      while (queue.length) {
        const n = byId.get(queue.shift()!);
        for (const x of n ? next(n) : []) {
          if (!out.has(x) && byId.has(x) && GRAPH_TYPES.has(byId.get(x)!.type)) {
            out.add(x);
            queue.push(x);
          }
        }
      }
    };
    go(id, (n) => n.parents);
    go(id, (n) => n.children);
    return out;
  }

  // ------------------------------------------------------------------ the lineage graph
  const CARD_W = 232;
  const HEAD_H = 40;
  const ROW_H = 21;
  const MAX_ROWS = 40;

  interface GraphOptions {
    focus?: string;
    /** the smallest zoom the first view takes (text stays readable; pan for the rest) */
    minScale?: number;
    columns: boolean;
    selected?: { node: string; column: string };
    onSelect?: (sel: { node: string; column: string } | undefined) => void;
  }

  /** Draws the lineage of `ids` into `wrap`: dagre's layout, zoom and pan, nodes coloured by type and last run, columns clickable. */
  function drawGraph(wrap: HTMLElement, ids: Set<string>, opts: GraphOptions): { select(sel: { node: string; column: string } | undefined): void } {
    wrap.replaceChildren();
    const nodes = [...ids].map((id) => byId.get(id)!).filter(Boolean);
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 90, marginx: 24, marginy: 24 });
    g.setDefaultEdgeLabel(() => ({}));
    const shown = (n: SiteNode) => (opts.columns && n.type !== 'exposure' ? n.columns.slice(0, MAX_ROWS) : []);
    for (const n of nodes) {
      const rows = shown(n).length + (opts.columns && n.columns.length > MAX_ROWS ? 1 : 0);
      g.setNode(n.id, { width: CARD_W, height: HEAD_H + (rows ? rows * ROW_H + 8 : 0) });
    }
    for (const n of nodes) for (const p of n.parents) if (ids.has(p)) g.setEdge(p, n.id);
    dagre.layout(g);

    const svg = s('svg', { class: 'graph', role: 'img', 'aria-label': 'lineage graph' });
    const viewport = s('g', { class: 'viewport' });
    const edgeLayer = s('g', { class: 'edges' });
    const colEdgeLayer = s('g', { class: 'col-edges' });
    const cardLayer = s('g', { class: 'cards' });
    viewport.append(edgeLayer, cardLayer, colEdgeLayer);
    svg.append(viewport);

    for (const e of g.edges()) {
      const pts = g.edge(e.v, e.w).points;
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      const path = s('path', { class: 'edge', d, 'marker-end': 'url(#arrow)', 'data-from': e.v, 'data-to': e.w });
      edgeLayer.append(path);
    }
    const defs = s('defs');
    const marker = s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#98a2b3' }));
    defs.append(marker);
    svg.prepend(defs);

    /** where each column row is, for column edges */
    const rowAt = new Map<string, { x: number; y: number; el: SVGGElement }>();
    const cardOf = new Map<string, SVGGElement>();
    for (const n of nodes) {
      const box = g.node(n.id);
      const x = box.x - box.width / 2;
      const y = box.y - box.height / 2;
      const card = s('g', { class: `card ${n.type}${n.id === opts.focus ? ' focus' : ''}${n.run ? ` status-${n.run.status}` : ''}`, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, 'data-node': n.id });
      card.append(s('rect', { class: 'body', width: box.width, height: box.height, rx: 8 }));
      card.append(s('rect', { class: 'bar', width: 5, height: box.height, rx: 2 }));
      const head = s('g', { class: 'head' });
      const name = s('text', { class: 'name', x: 14, y: 18 });
      name.textContent = truncate(n.label, 27);
      const title = s('title');
      title.textContent = `${n.label} (${n.type}) — open its page`;
      const kind = s('text', { class: 'kind', x: 14, y: 32 });
      kind.textContent = kindLine(n);
      head.append(s('rect', { width: box.width, height: HEAD_H, fill: 'transparent' }), name, kind, title);
      if (n.run) {
        const dot = s('circle', { class: `status-dot ${n.run.status}`, cx: box.width - 14, cy: 14, r: 5 });
        const t = s('title');
        t.textContent = `last run: ${n.run.status}`;
        dot.append(t);
        head.append(dot);
      }
      head.addEventListener('click', () => {
        location.hash = nodeHref(n.id);
      });
      card.append(head);
      const cols = shown(n);
      cols.forEach((c, i) => {
        const ry = HEAD_H + 2 + i * ROW_H;
        const row = s('g', { class: 'col', 'data-node': n.id, 'data-column': c.name, transform: `translate(0,${ry})` });
        row.append(s('rect', { x: 6, y: 0, width: box.width - 12, height: ROW_H - 1, rx: 3 }));
        const t = s('text', { x: 14, y: 14 });
        t.textContent = truncate(c.name, 22);
        const ty = s('text', { class: 'ctype', x: box.width - 12, y: 14, 'text-anchor': 'end' });
        ty.textContent = truncate(c.type ? c.type.toLowerCase() : '', 12);
        const tip = s('title');
        tip.textContent = `${n.label}.${c.name}${c.type ? ` (${c.type})` : ''} — click to trace it`;
        row.append(t, ty, tip);
        row.addEventListener('click', (ev) => {
          ev.stopPropagation();
          const same = current && current.node === n.id && current.column.toLowerCase() === c.name.toLowerCase();
          select(same ? undefined : { node: n.id, column: c.name });
          opts.onSelect?.(current);
        });
        card.append(row);
        rowAt.set(colKey(n.id, c.name), { x, y: y + ry + ROW_H / 2, el: row });
      });
      if (opts.columns && n.columns.length > MAX_ROWS && n.type !== 'exposure') {
        const more = s('text', { class: 'more', x: 14, y: HEAD_H + 2 + MAX_ROWS * ROW_H + 14 });
        more.textContent = `… ${n.columns.length - MAX_ROWS} more columns (on its page)`;
        card.append(more);
      }
      cardLayer.append(card);
      cardOf.set(n.id, card);
    }

    let current: { node: string; column: string } | undefined;
    function select(sel: { node: string; column: string } | undefined): void {
      current = sel;
      colEdgeLayer.replaceChildren();
      for (const r of rowAt.values()) r.el.classList.remove('selected', 'upstream', 'downstream');
      for (const c of cardOf.values()) c.classList.remove('on-path');
      svg.classList.toggle('has-selection', !!sel);
      if (!sel) return;
      const p = pathOf(sel.node, sel.column);
      const mark = (k: string, cls: string) => {
        const r = rowAt.get(k);
        if (!r) return;
        r.el.classList.add(cls);
        cardOf.get(r.el.getAttribute('data-node')!)?.classList.add('on-path');
      };
      mark(p.selected, 'selected');
      for (const k of p.up) mark(k, 'upstream');
      for (const k of p.down) mark(k, 'downstream');
      cardOf.get(sel.node)?.classList.add('on-path');
      for (const [from, to, dir] of p.steps) {
        const a = rowAt.get(from);
        const b = rowAt.get(to);
        if (!a || !b) continue;
        const x1 = a.x + CARD_W - 6;
        const x2 = b.x + 6;
        const mid = Math.max(40, (x2 - x1) / 2);
        colEdgeLayer.append(s('path', { class: `col-edge ${dir}`, d: `M${x1},${a.y} C${x1 + mid},${a.y} ${x2 - mid},${b.y} ${x2},${b.y}` }));
      }
    }

    // zoom and pan
    const size = g.graph();
    const gw = size.width ?? 600;
    const gh = size.height ?? 300;
    let scale = 1;
    let tx = 0;
    let ty = 0;
    const apply = () => viewport.setAttribute('transform', `translate(${tx.toFixed(1)},${ty.toFixed(1)}) scale(${scale.toFixed(4)})`);
    /** `all`: the whole graph in view; else no smaller than minScale, centred on the focus node (the rest is a pan away). */
    const fit = (all: boolean) => {
      const w = wrap.clientWidth || 900;
      const hgt = wrap.clientHeight || 460;
      const whole = Math.min(w / gw, hgt / gh) * 0.95;
      scale = Math.min(1.1, all ? Math.max(0.1, whole) : Math.max(opts.minScale ?? 0.1, whole));
      tx = (w - gw * scale) / 2;
      ty = (hgt - gh * scale) / 2;
      // wider than the view: without a focus, start from the roots (left); with one, show it
      if (!all && !opts.focus && gw * scale > w) tx = 24;
      if (!all && opts.focus && gw * scale > w) {
        const f = g.node(opts.focus);
        // the focus where it sits in the graph (its upstream to the left gets the room it needs)
        tx = Math.min(24, Math.max(w - gw * scale - 24, w * (0.2 + (0.6 * f.x) / gw) - f.x * scale));
      }
      if (gh * scale > hgt) {
        const f = opts.focus ? g.node(opts.focus) : { y: gh / 2 };
        ty = Math.min(24, Math.max(hgt - gh * scale - 24, hgt / 2 - f.y * scale));
      }
      apply();
    };
    const zoomAt = (factor: number, cx: number, cy: number) => {
      const next = Math.min(3, Math.max(0.1, scale * factor));
      tx = cx - ((cx - tx) * next) / scale;
      ty = cy - ((cy - ty) * next) / scale;
      scale = next;
      apply();
    };
    svg.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      zoomAt(ev.deltaY < 0 ? 1.12 : 1 / 1.12, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    let drag: { x: number; y: number; tx: number; ty: number } | undefined;
    svg.addEventListener('pointerdown', (ev) => {
      if ((ev.target as Element).closest('.col, .head')) return;
      drag = { x: ev.clientX, y: ev.clientY, tx, ty };
      svg.classList.add('dragging');
      svg.setPointerCapture(ev.pointerId);
    });
    svg.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      tx = drag.tx + ev.clientX - drag.x;
      ty = drag.ty + ev.clientY - drag.y;
      apply();
    });
    const stop = () => {
      drag = undefined;
      svg.classList.remove('dragging');
    };
    svg.addEventListener('pointerup', stop);
    svg.addEventListener('pointercancel', stop);

    const tools = h('div', { class: 'graph-tools' });
    const button = (label: string, title: string, f: () => void) => {
      const b = h('button', { type: 'button', title }, label);
      b.addEventListener('click', f);
      tools.append(b);
    };
    button('+', 'zoom in', () => zoomAt(1.25, wrap.clientWidth / 2, wrap.clientHeight / 2));
    button('−', 'zoom out', () => zoomAt(1 / 1.25, wrap.clientWidth / 2, wrap.clientHeight / 2));
    button('Fit', 'the whole graph in view', () => fit(true));
    const legend = h('div', { class: 'legend' });
    for (const t of ['model', 'source', 'seed', 'snapshot', 'exposure']) if (nodes.some((n) => n.type === t)) legend.append(h('span', {}, h('span', { class: `dot ${t}` }), t));
    if (opts.columns) {
      const up = h('span', { class: 'swatch' });
      up.style.background = 'var(--up)';
      const down = h('span', { class: 'swatch' });
      down.style.background = 'var(--down)';
      legend.append(h('span', {}, up, 'upstream'), h('span', {}, down, 'downstream'));
    }
    wrap.append(svg, tools, legend);
    if (opts.columns) wrap.append(h('div', { class: 'graph-hint' }, 'Click a column to trace where it comes from and where it goes; drag to pan, scroll to zoom.'));
    fit(false);
    if (opts.selected) select(opts.selected);
    return { select };
  }

  function kindLine(n: SiteNode): string {
    if (n.type === 'model') return `model · ${n.materialized ?? ''}`;
    if (n.type === 'exposure') return `exposure · ${n.exposure?.type ?? ''}`;
    if (n.type === 'source') return n.source?.external ? 'source · external table' : 'source';
    return n.type;
  }
  /** The node a test checks (its attached node, or a unit test's model), so same-named tests can be told apart. */
  function testedLabel(n: SiteNode): string | undefined {
    const id = n.test?.attachedNode ?? (n.parents.length === 1 ? n.parents[0] : undefined);
    return id === undefined ? undefined : byId.get(id)?.label;
  }
  const truncate = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);

  // ------------------------------------------------------------------ search
  interface Hit {
    href: string;
    title: string;
    what: string;
    type: string;
    snippet?: string;
    score: number;
  }
  function search(q: string): Hit[] {
    const query = q.trim().toLowerCase();
    if (!query) return [];
    const hits: Hit[] = [];
    const scoreName = (name: string) => (name === query ? 100 : name.startsWith(query) ? 80 : name.includes(query) ? 60 : 0);
    for (const n of DATA.nodes) {
      const name = n.label.toLowerCase();
      let score = scoreName(name);
      let snippet: string | undefined;
      if (!score && n.descriptionText.toLowerCase().includes(query)) {
        score = 30;
        snippet = around(n.descriptionText, query);
      }
      if (!score && n.tags.some((t) => t.toLowerCase() === query)) score = 25;
      if (score) hits.push({ href: nodeHref(n.id), title: n.label, what: testedLabel(n) ? `${n.type.replace('_', ' ')} of ${testedLabel(n)}` : n.type.replace('_', ' '), type: n.type, snippet, score: score - (n.type === 'test' || n.type === 'unit_test' ? 15 : 0) });
      for (const c of n.columns) {
        const cs = scoreName(c.name.toLowerCase());
        if (cs && GRAPH_TYPES.has(n.type)) hits.push({ href: nodeHref(n.id, c.name), title: `${n.label}.${c.name}`, what: `column of ${n.type}`, type: n.type, score: cs - 20 });
      }
    }
    for (const m of DATA.macros) {
      const sc = scoreName(m.name.toLowerCase());
      if (sc) hits.push({ href: macroHref(m.id), title: m.name, what: m.package === DATA.project.name ? 'macro' : `macro (${m.package})`, type: 'macro', score: sc - (m.package === DATA.project.name ? 5 : 30) });
    }
    return hits.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title)).slice(0, 30);
  }
  function around(text: string, q: string): string {
    const i = text.toLowerCase().indexOf(q);
    const start = Math.max(0, i - 40);
    return `${start ? '…' : ''}${text.slice(start, i + q.length + 60)}…`;
  }

  // ------------------------------------------------------------------ the frame: header, sidebar, main
  const app = document.getElementById('app')!;
  const input = h('input', { id: 'search', type: 'search', placeholder: 'Search models, sources, columns, macros…  ( / )', autocomplete: 'off', 'aria-label': 'search' });
  const results = h('div', { class: 'results', role: 'listbox' });
  const navOverview = h('a', { href: '#/' }, 'Overview');
  const navLineage = h('a', { href: '#/lineage' }, 'Lineage');
  const header = h('header', { class: 'top' }, h('a', { class: 'brand', href: '#/' }, DATA.project.name, h('small', {}, 'tsql docs')), h('div', { class: 'search' }, input, results), h('nav', {}, navOverview, navLineage));
  const sidebar = h('aside', { class: 'sidebar' });
  const main = h('main', { id: 'main' });
  app.replaceChildren(header, h('div', { class: 'layout' }, sidebar, main));

  let active = 0;
  let hits: Hit[] = [];
  function showResults(): void {
    hits = search(input.value);
    active = 0;
    results.replaceChildren();
    if (!input.value.trim()) {
      results.classList.remove('open');
      return;
    }
    if (!hits.length) results.append(h('div', { class: 'empty' }, 'Nothing matches.'));
    hits.forEach((hit, i) => {
      const row = h('div', { class: `result${i === 0 ? ' active' : ''}`, role: 'option', 'data-href': hit.href }, h('span', { class: `dot ${hit.type}` }), h('span', {}, hit.title, hit.snippet ? h('span', { class: 'snippet' }, hit.snippet) : null), h('span', { class: 'what' }, hit.what));
      row.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        go(hit.href);
      });
      results.append(row);
    });
    results.classList.add('open');
  }
  function go(href: string): void {
    results.classList.remove('open');
    input.value = '';
    input.blur();
    location.hash = href;
  }
  input.addEventListener('input', showResults);
  input.addEventListener('focus', showResults);
  input.addEventListener('blur', () => results.classList.remove('open'));
  input.addEventListener('keydown', (ev) => {
    const rows = [...results.querySelectorAll<HTMLElement>('.result')];
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      active = Math.max(0, Math.min(rows.length - 1, active + (ev.key === 'ArrowDown' ? 1 : -1)));
      rows.forEach((r, i) => r.classList.toggle('active', i === active));
      rows[active]?.scrollIntoView({ block: 'nearest' });
    } else if (ev.key === 'Enter' && hits[active]) {
      go(hits[active].href);
    } else if (ev.key === 'Escape') {
      input.value = '';
      input.blur();
    }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === '/' && document.activeElement !== input) {
      ev.preventDefault();
      input.focus();
    }
  });

  function buildSidebar(): void {
    const section = (title: string, open: boolean, ...children: Child[]) => {
      const d = h('details', {}, h('summary', {}, title), ...children);
      d.open = open;
      return d;
    };
    const item = (href: string, type: string, label: string, id: string) => h('a', { class: 'item', href, 'data-id': id, title: label }, h('span', { class: `dot ${type}` }), label);
    /** nodes in folders: [group…] → nested details */
    const tree = (list: SiteNode[]): Child[] => {
      const root: { folders: Map<string, unknown>; items: SiteNode[] } = { folders: new Map(), items: [] };
      type Folder = typeof root;
      for (const n of list) {
        let f: Folder = root;
        for (const part of n.group) {
          if (!f.folders.has(part)) f.folders.set(part, { folders: new Map(), items: [] });
          f = f.folders.get(part) as Folder;
        }
        f.items.push(n);
      }
      const render = (f: Folder): Child[] => [
        ...[...f.folders.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, sub]) => {
          const d = h('details', {}, h('summary', {}, name), ...render(sub as Folder));
          d.open = true;
          return d;
        }),
        ...f.items.sort((a, b) => a.label.localeCompare(b.label)).map((n) => item(nodeHref(n.id), n.type, n.type === 'source' ? n.name : n.label, n.id)),
      ];
      return render(root);
    };
    const of = (type: string) => DATA.nodes.filter((n) => n.type === type);
    for (const type of ['model', 'source', 'seed', 'snapshot', 'exposure', 'analysis']) {
      const list = of(type);
      if (list.length) sidebar.append(section(`${TYPE_NAMES[type]} (${list.length})`, true, ...tree(list)));
    }
    const own = DATA.macros.filter((m) => m.package === DATA.project.name && !m.hidden);
    if (own.length) sidebar.append(section(`Macros (${own.length})`, true, ...own.sort((a, b) => a.name.localeCompare(b.name)).map((m) => item(macroHref(m.id), 'macro', m.name, m.id))));
    const tests = [...of('test'), ...of('unit_test')];
    if (tests.length) sidebar.append(section(`Tests (${tests.length})`, false, ...tests.map((n) => ({ n, label: testedLabel(n) ? `${n.label} · ${testedLabel(n)}` : n.label })).sort((a, b) => a.label.localeCompare(b.label)).map(({ n, label }) => item(nodeHref(n.id), n.type, label, n.id))));
    const builtin = DATA.macros.filter((m) => m.package !== DATA.project.name && !m.hidden);
    if (builtin.length) sidebar.append(section(`Built-in macros (${builtin.length})`, false, ...builtin.sort((a, b) => a.name.localeCompare(b.name)).map((m) => item(macroHref(m.id), 'macro', m.name, m.id))));
  }

  // ------------------------------------------------------------------ pages
  function overviewPage(): void {
    const count = (t: string) => DATA.nodes.filter((n) => n.type === t).length;
    const cards = h('div', { class: 'cards' });
    for (const t of ['model', 'source', 'seed', 'snapshot', 'exposure', 'test']) {
      const c = count(t) + (t === 'test' ? count('unit_test') : 0);
      if (c || t === 'model') cards.append(h('div', { class: 'stat' }, h('b', {}, String(c)), h('span', {}, t === 'test' ? 'Tests' : (TYPE_NAMES[t] ?? t))));
    }
    const runs = DATA.nodes.filter((n) => n.run);
    const byStatus = new Map<string, number>();
    for (const n of runs) byStatus.set(n.run!.status, (byStatus.get(n.run!.status) ?? 0) + 1);
    const runLine = DATA.project.run
      ? h('p', { class: 'muted' }, `Last run: tsql ${DATA.project.run.command ?? ''} at ${DATA.project.run.generatedAt ?? ''} — `, ...[...byStatus].flatMap(([st, c]) => [statusChip(st), ` ${c}  `]))
      : h('p', { class: 'muted' }, 'No run yet (target/run_results.json): nodes show no run status.');
    const graph = h('div', { class: 'graph-wrap medium' });
    main.replaceChildren(...kids(
      h('div', { class: 'page-head' }, h('h1', {}, DATA.project.name)),
      h('div', { class: 'meta-line' }, h('span', {}, `${DATA.project.adapter} project`), h('span', {}, `docs generated ${DATA.project.generatedAt}`)),
      DATA.project.overviewHtml ? h('section', { class: 'card' }, html(DATA.project.overviewHtml)) : null,
      cards,
      h('section', { class: 'card' }, h('h2', {}, 'Lineage', h('span', { class: 'aside' }, h('a', { href: '#/lineage' }, 'open full screen'))), runLine, graph),
    ));
    drawGraph(graph, new Set(graphNodes.map((n) => n.id)), { columns: graphNodes.length <= 12, minScale: 0.55 });
  }

  function lineagePage(): void {
    const graph = h('div', { class: 'graph-wrap tall' });
    const toggle = h('input', { type: 'checkbox' });
    toggle.checked = graphNodes.length <= 40;
    const redraw = () => drawGraph(graph, new Set(graphNodes.map((n) => n.id)), { columns: toggle.checked, minScale: 0.75 });
    toggle.addEventListener('change', redraw);
    main.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Lineage'), h('label', { class: 'muted' }, toggle, ' show columns')),
      h('p', { class: 'muted' }, `${graphNodes.length} nodes: models, sources, seeds${graphNodes.some((n) => n.type === 'exposure') ? ', exposures' : ''}. Click a node's name to open it, a column to trace it.`),
      graph,
    );
    redraw();
  }

  function macroPage(m: SiteMacro): void {
    main.replaceChildren(...kids(
      h('div', { class: 'page-head' }, h('span', { class: 'badge macro' }, 'macro'), h('h1', {}, m.name)),
      h('div', { class: 'meta-line' }, h('span', {}, m.package), h('code', {}, m.path)),
      m.descriptionHtml ? h('section', { class: 'card' }, html(m.descriptionHtml)) : null,
      m.arguments.length
        ? h('section', { class: 'card' }, h('h2', {}, 'Arguments'), h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Description'))), h('tbody', {}, ...m.arguments.map((a) => h('tr', {}, h('td', { class: 'name mono' }, a.name), h('td', { class: 'type mono' }, a.type ?? ''), h('td', {}, a.descriptionHtml ? html(a.descriptionHtml) : h('span', { class: 'muted' }, '—')))))))
        : null,
      m.sql ? h('section', { class: 'card' }, h('h2', {}, 'Code'), h('pre', { class: 'code' }, m.sql)) : null,
      h('section', { class: 'card' }, h('h2', {}, 'Calls'), m.dependsOn.length ? h('ul', { class: 'links' }, ...m.dependsOn.map((d) => h('li', {}, nodeLink(d)))) : h('p', { class: 'muted' }, 'No other macro.')),
      h('section', { class: 'card' }, h('h2', {}, 'Used by'), m.usedBy.length ? h('ul', { class: 'links' }, ...m.usedBy.map((d) => h('li', {}, h('span', { class: `dot ${byId.get(d)?.type ?? 'macro'}` }), nodeLink(d)))) : h('p', { class: 'muted' }, 'Nothing in the project calls it.')),
    ));
  }

  function nodePage(n: SiteNode, column?: string): void {
    const relation = n.relation ? h('code', {}, n.relation) : null;
    const sections: Child[] = [];
    sections.push(
      h('div', { class: 'page-head' }, h('span', { class: `badge ${n.type}` }, n.type.replace('_', ' ')), h('h1', {}, n.label), statusChip(n.run?.status)),
      h('div', { class: 'meta-line' }, n.materialized ? h('span', {}, n.materialized) : null, relation, h('code', {}, n.path), ...n.tags.map((t) => h('span', { class: 'badge light' }, `#${t}`))),
    );
    if (n.run?.message && (n.run.status === 'error' || n.run.status === 'fail' || n.run.status === 'warn')) sections.push(h('div', { class: 'error-box' }, n.run.message));
    if (n.descriptionHtml || n.source?.sourceDescriptionHtml) {
      sections.push(h('section', { class: 'card' }, n.descriptionHtml ? html(n.descriptionHtml) : null, n.source?.sourceDescriptionHtml ? h('div', {}, h('p', { class: 'muted' }, `Source ${n.source.sourceName}:`), html(n.source.sourceDescriptionHtml)) : null));
    } else if (n.type !== 'test') sections.push(h('section', { class: 'card' }, h('p', { class: 'muted' }, 'No description yet: add one in its YAML (description:).')));

    let graphApi: { select(sel: { node: string; column: string } | undefined): void } | undefined;
    const rows = new Map<string, HTMLTableRowElement>();
    const markRow = (col: string | undefined) => {
      for (const [k, r] of rows) r.classList.toggle('selected', !!col && k === col.toLowerCase());
    };
    if (GRAPH_TYPES.has(n.type)) {
      const graph = h('div', { class: 'graph-wrap medium' });
      const l = n.lineage;
      const lineageNote = l && l.level === 'table' && l.reason && n.type !== 'exposure' ? h('div', { class: 'notice' }, `Column-level lineage is not available here: ${l.reason}. The graph shows its parents and children only.`) : null;
      sections.push(h('section', { class: 'card', id: 'lineage' }, h('h2', {}, 'Lineage', h('span', { class: 'aside' }, `+${n.name}+: its upstream and downstream nodes`)), lineageNote, graph));
      const ids = neighbourhood(n.id);
      const selected = column ? { node: n.id, column } : undefined;
      // laid out once the section is in the page (sizes are read from it)
      queueMicrotask(() => {
        graphApi = drawGraph(graph, ids, {
          focus: n.id,
          minScale: 0.8,
          columns: true,
          selected,
          onSelect: (sel) => markRow(sel && sel.node === n.id ? sel.column : undefined),
        });
      });
    }

    if (n.columns.length) {
      const lineageOf = new Map((n.lineage?.columns ?? []).map((c) => [c.name.toLowerCase(), c]));
      const table = h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Type'), h('th', {}, 'Description'), h('th', {}, 'Tests'), h('th', {}, 'Computed from'))));
      const body = h('tbody');
      for (const c of n.columns) {
        const l = lineageOf.get(c.name.toLowerCase());
        const tr = h('tr', { class: 'col-row', 'data-column': c.name }, h('td', { class: 'name mono' }, c.name), h('td', { class: 'type mono' }, c.type ?? ''), h('td', {}, c.descriptionHtml ? html(c.descriptionHtml) : h('span', { class: 'muted' }, '—')), h('td', {}, ...testChips(c)), h('td', { class: 'from' }, ...fromCell(l, n)));
        tr.addEventListener('click', (ev) => {
          if ((ev.target as Element).closest('a')) return;
          const on = !tr.classList.contains('selected');
          markRow(on ? c.name : undefined);
          graphApi?.select(on ? { node: n.id, column: c.name } : undefined);
          document.getElementById('lineage')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
        });
        rows.set(c.name.toLowerCase(), tr);
        body.append(tr);
      }
      table.append(body);
      sections.push(h('section', { class: 'card' }, h('h2', {}, `Columns`, h('span', { class: 'aside' }, `${n.columns.length}${n.catalog ? ', types from the warehouse' : ''}`)), table));
      if (column) markRow(column);
    }

    if (n.exposure) {
      const owner = n.exposure.owner ?? {};
      sections.push(
        h('section', { class: 'card' }, h('h2', {}, 'Exposure'), h('dl', { class: 'facts' },
          h('dt', {}, 'type'), h('dd', {}, n.exposure.type ?? ''),
          h('dt', {}, 'owner'), h('dd', {}, ownerText(owner)),
          h('dt', {}, 'maturity'), h('dd', {}, n.exposure.maturity ?? '—'),
          h('dt', {}, 'url'), h('dd', {}, n.exposure.url && /^https?:/i.test(n.exposure.url) ? h('a', { href: n.exposure.url, target: '_blank', rel: 'noopener noreferrer' }, n.exposure.url) : (n.exposure.url ?? '—')))),
      );
    }
    if (n.compiledCode || n.rawCode) sections.push(codeSection(n));
    sections.push(detailsSection(n));
    const rel = (title: string, ids: string[], empty: string) => h('div', {}, h('h2', {}, title), ids.length ? h('ul', { class: 'links' }, ...ids.map((id) => h('li', {}, h('span', { class: `dot ${byId.get(id)?.type ?? ''}` }), nodeLink(id)))) : h('p', { class: 'muted' }, empty));
    if (n.type !== 'test' && n.type !== 'unit_test') {
      sections.push(h('section', { class: 'card' }, rel('Depends on', n.parents, 'Nothing: it is a root.'), rel('Referenced by', n.children, 'Nothing reads it yet.')));
      if (n.tests.length) sections.push(h('section', { class: 'card' }, h('h2', {}, `Tests (${n.tests.length})`), h('ul', { class: 'links' }, ...n.tests.map((t) => h('li', {}, statusChip(t.status) ?? h('span', { class: 'dot test' }), nodeLink(t.id, t.name))))));
    } else {
      sections.push(h('section', { class: 'card' }, rel('Tests', n.parents, '—')));
    }
    if (Object.keys(n.config).length) sections.push(h('section', { class: 'card' }, h('h2', {}, 'Config'), h('pre', { class: 'code' }, JSON.stringify(n.config, null, 2))));
    main.replaceChildren(...kids(...sections));
  }

  function testChips(c: SiteColumn): Child[] {
    if (!c.tests.length) return [h('span', { class: 'muted' }, '—')];
    return c.tests.map((t) => h('a', { class: 'test-chip', href: nodeHref(t.id), title: t.status ? `last run: ${t.status}` : 'not run yet' }, t.status ? h('span', { class: `dot ${t.status === 'pass' ? 'source' : t.status === 'warn' ? 'exposure' : 'test'}` }) : null, t.name));
  }

  /** Where a column with no upstream column comes from: a seed's file, outside the project for a source, else SQL that reads no column. */
  function noColumn(n: SiteNode): string {
    if (n.type === 'seed') return `the seed's file, ${n.path}`;
    if (n.type === 'source') return 'loaded outside the project';
    return 'no column (a constant, a count, the run date …)';
  }
  function fromCell(l: NonNullable<SiteNode['lineage']>['columns'][number] | undefined, n: SiteNode): Child[] {
    if (!l) return [h('span', { class: 'muted' }, '—')];
    const out: Child[] = [];
    l.upstream.forEach((u, i) => {
      const up = byId.get(u.node);
      if (i) out.push(', ');
      out.push(h('a', { href: nodeHref(u.node, u.column) }, `${up?.label ?? u.node}.${u.column}`));
    });
    if (!l.upstream.length) out.push(h('span', { class: 'muted' }, l.through ? '' : noColumn(n)));
    if (l.through) out.push(h('div', { class: 'via' }, `via ${l.through}`));
    else if (l.upstream.length) out.push(h('span', { class: 'via' }, l.via));
    return out;
  }

  function codeSection(n: SiteNode): HTMLElement {
    const pre = h('pre', { class: 'code' });
    const tabs = h('div', { class: 'tabs' });
    const show = (which: 'compiled' | 'source') => {
      pre.textContent = (which === 'compiled' ? n.compiledCode : n.rawCode) ?? '';
      for (const b of tabs.querySelectorAll('button')) b.classList.toggle('on', b.getAttribute('data-tab') === which);
    };
    for (const [key, label] of [['compiled', 'Compiled SQL'], ['source', 'Source']] as const) {
      if ((key === 'compiled' ? n.compiledCode : n.rawCode) == null) continue;
      const b = h('button', { type: 'button', 'data-tab': key }, label);
      b.addEventListener('click', () => show(key));
      tabs.append(b);
    }
    show(n.compiledCode != null ? 'compiled' : 'source');
    return h('section', { class: 'card' }, h('h2', {}, 'Code'), tabs, pre);
  }

  function detailsSection(n: SiteNode): HTMLElement {
    const facts: Array<[string, Child]> = [];
    if (n.catalog) {
      facts.push(['relation type', n.catalog.type]);
      if (n.catalog.owner) facts.push(['owner', n.catalog.owner]);
      for (const st of n.catalog.stats) facts.push([st.label.toLowerCase(), st.value === null ? '—' : st.label.includes('Size') && typeof st.value === 'number' ? bytes(st.value) : number(st.value)]);
      if (n.catalog.comment) facts.push(['comment in the warehouse', n.catalog.comment]);
    } else if (n.relation) facts.push(['in the warehouse', h('span', { class: 'muted' }, 'not found when the docs were generated (not built yet, or --empty-catalog)')]);
    if (n.run) {
      facts.push(['last run', h('span', {}, statusChip(n.run.status), n.run.completedAt ? ` ${n.run.completedAt}` : '', n.run.seconds !== undefined ? ` in ${n.run.seconds.toFixed(2)} s` : '', n.run.rows !== undefined ? `, ${number(n.run.rows)} rows` : '')]);
    }
    if (n.source?.external) facts.push(['external location', h('code', {}, String(n.source.external.location ?? ''))]);
    if (n.source?.loader) facts.push(['loader', n.source.loader]);
    if (n.test) {
      if (n.test.attachedNode) facts.push(['tests', nodeLink(n.test.attachedNode)]);
      if (n.test.column) facts.push(['column', n.test.column]);
      if (n.test.kwargs && Object.keys(n.test.kwargs).filter((k) => k !== 'model' && k !== 'column_name').length) facts.push(['arguments', h('code', {}, JSON.stringify(Object.fromEntries(Object.entries(n.test.kwargs).filter(([k]) => k !== 'model' && k !== 'column_name'))))]);
    }
    if (n.accessGroup) {
      const g = n.accessGroup;
      facts.push(['group', h('span', { class: 'group' }, h('strong', {}, g.name), g.description ? h('span', { class: 'muted' }, ` — ${g.description}`) : null)], ['group owner', ownerText(g.owner)]);
      if (g.access) facts.push(['access', g.access]);
    }
    facts.push(['unique id', h('code', {}, n.id)], ['package', n.package]);
    const notes = n.lineage?.notes ?? [];
    return h('section', { class: 'card' }, h('h2', {}, 'Details'), h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])), notes.length ? h('div', {}, h('p', { class: 'muted' }, 'Lineage notes:'), h('ul', {}, ...notes.map((x) => h('li', { class: 'muted' }, x)))) : null);
  }

  /** An owner (of an exposure or a group) as people read it: name · email. */
  function ownerText(owner: Record<string, unknown>): string {
    return [owner.name, owner.email].filter(Boolean).map(String).join(' · ') || '—';
  }

  function notFound(what: string): void {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, `${what} is not in this project's docs. `, h('a', { href: '#/' }, 'Back to the overview')));
  }

  function route(): void {
    const hash = decodeURI(location.hash || '#/');
    const parts = (location.hash || '#/').replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
    navOverview.classList.toggle('active', hash === '#/' || hash === '#');
    navLineage.classList.toggle('active', parts[0] === 'lineage');
    let current = '';
    if (parts[0] === 'node') {
      const n = byId.get(parts[1]);
      if (n) nodePage(n, parts[2] || undefined);
      else notFound(parts[1]);
      current = parts[1];
    } else if (parts[0] === 'macro') {
      const m = macroById.get(parts[1]);
      if (m) macroPage(m);
      else notFound(parts[1]);
      current = parts[1];
    } else if (parts[0] === 'lineage') lineagePage();
    else overviewPage();
    for (const a of sidebar.querySelectorAll('.item')) a.classList.toggle('current', a.getAttribute('data-id') === current);
    if (!parts[2]) window.scrollTo(0, 0);
  }

  buildSidebar();
  window.addEventListener('hashchange', route);
  route();
})();
