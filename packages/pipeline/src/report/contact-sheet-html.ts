import { formatMoney } from './image-price.js';
import type { ImagePrice, ReportItem, ReportTotals } from './report-model.js';
import { CONTACT_SHEET_CLIENT } from './contact-sheet-client.js';
import { CONTACT_SHEET_CSS } from './contact-sheet-css.js';

/** What the page is made of. */
export interface ContactSheetPage {
  /** The output folder's name. */
  title: string;
  generatedAt: Date;
  items: ReportItem[];
  totals: ReportTotals;
  price?: ImagePrice;
  /** Items per page (default 40). */
  pageSize?: number;
}

/**
 * The contact sheet as one self-contained HTML document: inline CSS and script, the items as a compact
 * JSON island rendered a page at a time in the browser, images referenced by relative paths
 * (`<id>/result-<i>.<ext>`, `.backdrop/thumbs/<name>.webp`) and loaded lazily.
 */
export function contactSheetHtml(page: ContactSheetPage): string {
  const t = page.totals;
  const tiles: [string, string, string?][] = [
    ['Items', count(t.items)],
    ['Succeeded', count(t.succeeded), 'ok'],
    ['Failed', count(t.failed), t.failed ? 'bad' : undefined],
  ];
  if (t.interrupted) tiles.push(['Interrupted', count(t.interrupted), 'warn']);
  if (t.resumed) tiles.push(['Done earlier', count(t.resumed)]);
  tiles.push(['Images', count(t.images)]);
  tiles.push(['Images billed', count(t.billed)]);
  if (t.cost) tiles.push([`Cost (${page.price ? formatMoney(page.price.amount, page.price.currency) : ''} / image)`, formatMoney(t.cost.amount, t.cost.currency)]);
  if (t.wallMs !== undefined) tiles.push([t.resumed ? 'Wall time (latest run)' : 'Wall time', duration(t.wallMs)]);
  const lanes = t.lanes.length
    ? `<table class="lanes"><thead><tr><th>API key</th><th>Tasks</th><th>Images</th><th>Images / min</th></tr></thead><tbody>${t.lanes
        .map((l) => `<tr><td><code>${esc(l.lane)}</code></td><td>${count(l.tasks)}</td><td>${count(l.images)}</td><td>${l.imagesPerMinute.toFixed(1)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="backdrop">
<title>${esc(page.title)} — backdrop contact sheet</title>
<style>${CONTACT_SHEET_CSS}</style>
</head>
<body>
<header>
<div class="head"><h1>${esc(page.title)}</h1><span class="sub">backdrop contact sheet · updated <time datetime="${page.generatedAt.toISOString()}">${esc(page.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC</time></span></div>
<div class="tiles">${tiles.map(([k, v, cls]) => `<div class="tile${cls ? ` ${cls}` : ''}"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>
${lanes}
<nav class="bar">
<div class="filters" role="group" aria-label="Show">
<button type="button" data-filter="all" class="on">All <span>${count(t.items)}</span></button>
<button type="button" data-filter="failed">Failed <span>${count(t.failed)}</span></button>
<button type="button" data-filter="succeeded">Succeeded <span>${count(t.succeeded)}</span></button>
${t.interrupted ? `<button type="button" data-filter="interrupted">Interrupted <span>${count(t.interrupted)}</span></button>` : ''}
</div>
<input type="search" id="q" placeholder="Search id, prompt, title, error…" aria-label="Search">
<div class="pager"><button type="button" data-page="prev" aria-label="Previous page">‹</button><span id="pageinfo"></span><button type="button" data-page="next" aria-label="Next page">›</button></div>
</nav>
</header>
<main id="items" aria-live="polite"><noscript>This page needs JavaScript to list the items; the files are in the item folders beside it.</noscript></main>
<nav class="bar bottom"><div class="pager"><button type="button" data-page="prev" aria-label="Previous page">‹</button><span class="pageinfo2"></span><button type="button" data-page="next" aria-label="Next page">›</button></div></nav>
<script type="application/json" id="data">${islandJson(page.items, page.pageSize ?? 40)}</script>
<script>${CONTACT_SHEET_CLIENT}</script>
</body>
</html>
`;
}

/**
 * The items in the compact form the page script reads. Repeated strings (prompts, parameters, titles,
 * error codes) go once into a table `s`; items refer to them by index. Keys per item: i id, s status
 * (o/f/x), t task id, p prompt, n negative prompt, h title, q parameters, c cut-out [thumb, preview],
 * r reference, e edge elements [[side f/b, prompt, thumb, preview]], R results [[file, thumb]], P plain
 * files, E error code, m error message, a attempts, b images billed, d durations [queued, ran, download,
 * total] (ms), z submitted (epoch s), k resumed.
 */
function islandJson(items: ReportItem[], pageSize: number): string {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string | undefined): number | undefined => {
    if (s === undefined || s === '') return undefined;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const rows = items.map((it) => {
    const x: Record<string, unknown> = { i: it.id, s: it.status === 'succeeded' ? 'o' : it.status === 'failed' ? 'f' : 'x' };
    if (it.taskId) x.t = it.taskId;
    const inp = it.inputs;
    if (inp) {
      set(x, 'p', ref(inp.prompt));
      set(x, 'n', ref(inp.negativePrompt));
      set(x, 'h', ref([inp.title, inp.subtitle].filter(Boolean).join(' · ')));
      set(
        x,
        'q',
        ref(
          Object.entries(inp.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        ),
      );
      if (inp.cutout) x.c = [inp.cutout.thumb, inp.cutout.preview];
      if (inp.ref) x.r = [inp.ref.thumb, inp.ref.preview];
      if (inp.edges.length) x.e = inp.edges.map((e) => [e.side === 'foreground' ? 'f' : 'b', ref(e.prompt) ?? -1, e.image?.thumb ?? '', e.image?.preview ?? '']);
    }
    if (it.results.length) x.R = it.results.map((r) => [r.file, r.thumb ?? '']);
    if (it.plain.length) x.P = it.plain;
    if (it.error) {
      x.E = ref(it.error.code);
      x.m = it.error.message;
    }
    if (it.attempts > 1) x.a = it.attempts;
    if (it.billed) x.b = it.billed;
    const d = it.durations;
    if (d.queued !== undefined || d.ran !== undefined || d.download !== undefined || d.total !== undefined) x.d = [d.queued ?? -1, d.ran ?? -1, d.download ?? -1, d.total ?? -1];
    if (it.timeline.submittedAt !== undefined) x.z = Math.round(it.timeline.submittedAt / 1000);
    if (it.resumed) x.k = 1;
    return x;
  });
  // `<` escaped so that no string can end the script element.
  return JSON.stringify({ v: 1, ps: pageSize, s: strings, items: rows })
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function set(x: Record<string, unknown>, k: string, v: number | undefined): void {
  if (v !== undefined) x[k] = v;
}

/** 10000 → `10,000`. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
