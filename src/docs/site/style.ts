/** The docs site's stylesheet (style.css). */
export const SITE_CSS = `
:root {
  --bg: #f7f8fa; --panel: #ffffff; --ink: #1f2933; --muted: #667085; --line: #e4e7ec; --accent: #2563eb;
  --model: #2563eb; --source: #16a34a; --seed: #9333ea; --snapshot: #0891b2; --exposure: #ea580c; --analysis: #64748b; --test: #475569; --macro: #b45309;
  --ok: #16a34a; --bad: #dc2626; --warn: #d97706; --skip: #98a2b3;
  --up: #f59e0b; --down: #0ea5e9; --sel: #e11d48;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.loading { padding: 2rem; color: var(--muted); }

header.top { position: sticky; top: 0; z-index: 20; display: flex; align-items: center; gap: 1.5rem; height: 52px; padding: 0 1rem; background: #111827; color: #fff; }
header.top .brand { color: #fff; font-weight: 650; font-size: 15px; white-space: nowrap; }
header.top .brand small { color: #9ca3af; font-weight: 400; margin-left: .4rem; }
header.top nav { display: flex; gap: 1rem; margin-left: auto; }
header.top nav a { color: #d1d5db; }
header.top nav a.active { color: #fff; font-weight: 600; }
.search { position: relative; flex: 1; max-width: 560px; }
.search input { width: 100%; padding: .45rem .75rem; border-radius: 6px; border: 1px solid #374151; background: #1f2937; color: #fff; font-size: 14px; }
.search input::placeholder { color: #9ca3af; }
.search .results { position: absolute; top: 40px; left: 0; right: 0; background: var(--panel); color: var(--ink); border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 12px 32px rgba(0,0,0,.18); max-height: 70vh; overflow: auto; display: none; }
.search .results.open { display: block; }
.search .result { display: flex; gap: .6rem; align-items: baseline; padding: .5rem .75rem; cursor: pointer; border-bottom: 1px solid var(--line); }
.search .result:last-child { border-bottom: 0; }
.search .result.active, .search .result:hover { background: #eef2ff; }
.search .result .what { color: var(--muted); font-size: 12px; margin-left: auto; white-space: nowrap; }
.search .result .snippet { color: var(--muted); font-size: 12px; display: block; }
.search .empty { padding: .75rem; color: var(--muted); }

.layout { display: flex; min-height: calc(100vh - 52px); }
aside.sidebar { width: 270px; flex: none; border-right: 1px solid var(--line); background: var(--panel); padding: .75rem .5rem 2rem; overflow: auto; height: calc(100vh - 52px); position: sticky; top: 52px; align-self: flex-start; }
aside.sidebar details { margin: 0 0 .1rem .2rem; }
aside.sidebar summary { cursor: pointer; padding: .2rem .3rem; border-radius: 4px; user-select: none; }
aside.sidebar summary:hover { background: #f2f4f7; }
aside.sidebar > details > summary { font-weight: 650; text-transform: uppercase; font-size: 11.5px; letter-spacing: .04em; color: var(--muted); margin-top: .5rem; }
aside.sidebar .item { display: flex; align-items: center; gap: .4rem; padding: .15rem .3rem .15rem 1.1rem; border-radius: 4px; color: var(--ink); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
aside.sidebar .item:hover { background: #f2f4f7; text-decoration: none; }
aside.sidebar .item.current { background: #e0e7ff; font-weight: 600; }
.dot { width: 8px; height: 8px; border-radius: 50%; flex: none; display: inline-block; background: var(--skip); }
.dot.model { background: var(--model); } .dot.source { background: var(--source); } .dot.seed { background: var(--seed); }
.dot.snapshot { background: var(--snapshot); } .dot.exposure { background: var(--exposure); } .dot.analysis { background: var(--analysis); }
.dot.test, .dot.unit_test { background: var(--test); } .dot.macro { background: var(--macro); }

main { flex: 1; min-width: 0; padding: 1.25rem 1.75rem 3rem; }
.page-head { display: flex; align-items: center; gap: .75rem; flex-wrap: wrap; }
.page-head h1 { margin: 0; font-size: 24px; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: 12px; font-weight: 600; color: #fff; background: var(--analysis); }
.badge.model { background: var(--model); } .badge.source { background: var(--source); } .badge.seed { background: var(--seed); }
.badge.snapshot { background: var(--snapshot); } .badge.exposure { background: var(--exposure); } .badge.test, .badge.unit_test { background: var(--test); } .badge.macro { background: var(--macro); }
.badge.light { background: #eef2f6; color: var(--ink); font-weight: 500; }
.status { display: inline-flex; align-items: center; gap: .35rem; padding: .1rem .55rem; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.status.success, .status.pass { color: var(--ok); } .status.error, .status.fail, .status.runtime_error { color: var(--bad); }
.status.warn { color: var(--warn); } .status.skipped, .status.none { color: var(--skip); }
.meta-line { color: var(--muted); margin: .4rem 0 1rem; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
.meta-line code { color: var(--ink); }
section.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
section.card h2 { font-size: 15px; margin: 0 0 .75rem; display: flex; align-items: center; gap: .5rem; }
section.card h2 + ul.links { margin-bottom: 1rem; }
section.card > h2 .aside { margin-left: auto; font-weight: 400; color: var(--muted); font-size: 12.5px; }
.description { line-height: 1.55; }
.description p:first-child { margin-top: 0; } .description p:last-child { margin-bottom: 0; }
.description img { max-width: 100%; }
.description pre { background: #f2f4f7; padding: .5rem .75rem; border-radius: 6px; overflow: auto; }
.muted { color: var(--muted); }
.notice { background: #fffbeb; border: 1px solid #fde68a; color: #92400e; border-radius: 8px; padding: .6rem .8rem; margin: 0 0 .75rem; }
.error-box { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; border-radius: 8px; padding: .6rem .8rem; margin: 0 0 1rem; white-space: pre-wrap; }

table.grid { width: 100%; border-collapse: collapse; }
table.grid th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: .4rem .5rem; }
table.grid td { border-bottom: 1px solid var(--line); padding: .45rem .5rem; vertical-align: top; }
table.grid tr:last-child td { border-bottom: 0; }
table.grid tr.col-row { cursor: pointer; }
table.grid tr.col-row:hover td { background: #f8fafc; }
table.grid tr.col-row.selected td { background: #fff1f2; }
table.grid td.name { font-weight: 600; white-space: nowrap; }
table.grid td.type { color: var(--muted); white-space: nowrap; }
.test-chip { display: inline-flex; align-items: center; gap: .25rem; font-size: 11.5px; padding: .05rem .4rem; border-radius: 4px; background: #f2f4f7; margin: 0 .25rem .2rem 0; color: var(--ink); }
.via { font-size: 11px; color: var(--muted); margin-left: .25rem; }
.from a { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.25rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
pre.code { background: #0f172a; color: #e2e8f0; padding: .9rem 1rem; border-radius: 8px; overflow: auto; max-height: 520px; margin: 0; line-height: 1.5; }
.tabs { display: flex; gap: .25rem; margin-bottom: .6rem; }
.tabs button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: .25rem .7rem; cursor: pointer; font-size: 13px; }
.tabs button.on { background: #111827; color: #fff; border-color: #111827; }
ul.links { list-style: none; padding: 0; margin: 0; columns: 2; }
ul.links li { padding: .15rem 0; display: flex; align-items: center; gap: .4rem; break-inside: avoid; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: .75rem 1rem; }
.stat b { display: block; font-size: 22px; } .stat span { color: var(--muted); }

/* the lineage graph */
.graph-wrap { position: relative; border: 1px solid var(--line); border-radius: 10px; background: #fbfcfe; overflow: hidden; }
.graph-wrap.tall { height: calc(100vh - 190px); min-height: 420px; }
.graph-wrap.medium { height: 520px; }
svg.graph { width: 100%; height: 100%; display: block; cursor: grab; user-select: none; }
svg.graph.dragging { cursor: grabbing; }
.graph-tools { position: absolute; top: .5rem; right: .5rem; display: flex; gap: .25rem; z-index: 2; }
.graph-tools button, .graph-tools label { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: .2rem .55rem; cursor: pointer; font-size: 13px; display: inline-flex; gap: .3rem; align-items: center; }
.legend { position: absolute; left: .5rem; bottom: .5rem; display: flex; flex-wrap: wrap; gap: .75rem; background: rgba(255,255,255,.92); border: 1px solid var(--line); border-radius: 6px; padding: .3rem .6rem; font-size: 12px; z-index: 2; }
.legend span { display: inline-flex; align-items: center; gap: .3rem; }
.legend .swatch { width: 12px; height: 3px; display: inline-block; }
.graph-hint { position: absolute; left: .5rem; top: .5rem; font-size: 12px; color: var(--muted); background: rgba(255,255,255,.92); padding: .2rem .5rem; border-radius: 6px; z-index: 2; max-width: 60%; }
svg.graph .edge { fill: none; stroke: #98a2b3; stroke-width: 1.5; }
svg.graph .edge.hot { stroke: #475467; stroke-width: 2; }
svg.graph .col-edge { fill: none; stroke-width: 2; }
svg.graph .col-edge.up { stroke: var(--up); } svg.graph .col-edge.down { stroke: var(--down); }
svg.graph .card rect.body { fill: #fff; stroke: #d0d5dd; stroke-width: 1; }
svg.graph .card.focus rect.body { stroke: #111827; stroke-width: 2; }
svg.graph .card.status-error rect.body, svg.graph .card.status-fail rect.body { stroke: var(--bad); stroke-width: 2; }
svg.graph .card.status-warn rect.body { stroke: var(--warn); stroke-width: 2; }
svg.graph .card .head { cursor: pointer; }
svg.graph .card .head text.name { font-weight: 650; font-size: 13px; fill: #111827; }
svg.graph .card .head text.kind { font-size: 10.5px; fill: #667085; }
svg.graph .card .bar { fill: var(--analysis); }
svg.graph .card.model .bar { fill: var(--model); } svg.graph .card.source .bar { fill: var(--source); } svg.graph .card.seed .bar { fill: var(--seed); }
svg.graph .card.snapshot .bar { fill: var(--snapshot); } svg.graph .card.exposure .bar { fill: var(--exposure); }
svg.graph .status-dot { stroke: #fff; stroke-width: 1.5; }
svg.graph .status-dot.success, svg.graph .status-dot.pass { fill: var(--ok); }
svg.graph .status-dot.error, svg.graph .status-dot.fail { fill: var(--bad); }
svg.graph .status-dot.warn { fill: var(--warn); } svg.graph .status-dot.skipped { fill: var(--skip); }
svg.graph .col { cursor: pointer; }
svg.graph .col rect { fill: transparent; }
svg.graph .col:hover rect { fill: #f2f4f7; }
svg.graph .col text { font-size: 12px; fill: #344054; }
svg.graph .col text.ctype { fill: #98a2b3; font-size: 10.5px; }
svg.graph .col.upstream rect { fill: #fef3c7; } svg.graph .col.upstream text { fill: #78350f; font-weight: 600; }
svg.graph .col.downstream rect { fill: #e0f2fe; } svg.graph .col.downstream text { fill: #075985; font-weight: 600; }
svg.graph .col.selected rect { fill: #ffe4e6; } svg.graph .col.selected text { fill: #9f1239; font-weight: 700; }
svg.graph.has-selection .card:not(.on-path) { opacity: .35; }
svg.graph.has-selection .edge { opacity: .25; }
svg.graph .more { font-size: 11px; fill: #98a2b3; }
`;
