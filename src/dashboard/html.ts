/** HTML building blocks of the dashboard: escaping, number and time formatting, the page frame with its inline CSS. */

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A number in at most `digits` significant digits, exponent form below 1e-3 and from 1e5; '—' when absent or not finite. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) return x.toExponential(digits - 2).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

/** A loss with a fixed number of decimals (4), so a column of losses lines up; '—' when absent. */
export function loss(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x) || Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-4)) return num(x);
  return x.toFixed(4);
}

/** `2024-05-01 14:03:22` in the server's local time (the browser usually runs on the same machine). */
export function clock(ms: number, seconds = true): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}${seconds ? `:${p(d.getSeconds())}` : ''}`;
}

/** `12 s`, `4 min`, `3.5 h`, `2 d`: a duration in its largest sensible unit. */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 1) return '< 1 s';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Number((s / 3600).toFixed(1))} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** A `<time>` element: the local clock time, with the age (`4 min ago`) when `now` is given. */
export function timeTag(ms: number | null, now?: number): string {
  if (ms === null) return '<span class="muted">—</span>';
  const age = now === undefined ? '' : ` <span class="muted">(${duration(now - ms)} ago)</span>`;
  return `<time datetime="${new Date(ms).toISOString()}" title="${clock(ms)}">${clock(ms, false)}</time>${age}`;
}

/** A trial or study state as a colored pill. */
export function badge(state: string, title?: string): string {
  return `<span class="badge s-${esc(state)}"${title ? ` title="${esc(title)}"` : ''}>${esc(state.toLowerCase())}</span>`;
}

/** What {@link page} needs besides the body. */
export interface PageFrame {
  title: string;
  /** Where the data comes from, shown in the header. */
  location: string;
  /** The JSON the page's script polls every `seconds` to update itself in place (no reload); none when absent. */
  live?: { api: string; seconds: number };
  /** Load vega, vega-lite and vega-embed for interactive charts (study and compare pages). */
  charts?: boolean;
  /** Breadcrumb after "studies": the study name. */
  crumb?: string;
  body: string;
}

const CSS = `
.tools{display:flex;gap:10px;align-items:center;margin-bottom:10px}
input.filter{font:inherit;padding:4px 9px;border:1px solid var(--line);border-radius:6px;min-width:260px}
.button{display:inline-block;padding:4px 11px;border:1px solid var(--line);border-radius:6px;background:var(--soft);font-size:13px}
.button.off{pointer-events:none;opacity:.45}
table.sortable th:not([data-nosort]){cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:' ▲';font-size:9px}th[aria-sort=descending]::after{content:' ▼';font-size:9px}
.live-chart{min-height:120px}.live-chart .vega-embed{width:100%}
.vega-bindings{font-size:13px;margin-top:6px}
.atlas h2{font-size:16px}.atlas .grid{display:flex;flex-wrap:wrap;gap:10px}.atlas figure{margin:0;border:1px solid #eaeef2}.atlas figcaption{font-size:11px;color:var(--muted);padding:0 6px 4px}.atlas .fail{color:#a40e26}.atlas .ok{color:#116329}.atlas .note{color:var(--muted)}
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--soft:#f6f8fa;--accent:#4e79a7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:#eef1f4}
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}
header{background:#24292f;color:#e6edf3;padding:10px 28px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header .brand{color:#fff;font-weight:700;font-size:15px;letter-spacing:.01em}
header .brand span{color:#8fb3d9;font-weight:400}
header nav{color:#8c959f;font-size:13px}header nav a{color:#c9d1d9}
header .where{margin-left:auto;color:#8c959f;font-size:12px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
main{max-width:1280px;margin:0 auto;padding:22px 28px 56px}
h1{font-size:24px;margin:0 0 4px;word-break:break-word}
h2{font-size:15px;margin:0 0 12px;font-weight:600}
h3{font-size:13px;margin:14px 0 6px;color:var(--muted);font-weight:600}
.sub{color:var(--muted);margin-bottom:18px;display:flex;gap:14px;flex-wrap:wrap;align-items:center}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin-bottom:18px;overflow-x:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px}
.grid2{margin-bottom:18px}.grid2>.card{margin-bottom:0}.card .grid2{margin-bottom:0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:18px}
.tile{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.tile .k{font-size:12px;color:var(--muted)}
.tile .v{font-size:21px;font-weight:600;font-variant-numeric:tabular-nums;margin-top:2px;word-break:break-all}
.tile .n{font-size:12px;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;border-bottom:1px solid #eaeef2;text-align:left;white-space:nowrap;vertical-align:top}
th{font-size:12px;font-weight:600;color:var(--muted);background:var(--soft);position:sticky;top:0}
td.num,th.num{text-align:right}
tbody tr:hover td{background:#f8fafc}
tr.pick td{background:#eef5ff}
tr.pick:hover td{background:#e3eefc}
td.reason{white-space:normal;min-width:160px;max-width:420px;color:var(--muted);word-break:break-word}
td.name{white-space:normal;overflow-wrap:anywhere;min-width:180px;max-width:340px;font-weight:600}
.tag{display:inline-block;font-size:11px;font-weight:600;color:#0b5cad;background:#ddf4ff;border-radius:4px;padding:0 5px;margin-left:6px}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;line-height:18px}
.s-COMPLETE,.s-finished{background:#dafbe1;color:#116329}
.s-RUNNING,.s-running{background:#ddf4ff;color:#0550ae}
.s-WAITING,.s-waiting{background:#fff8c5;color:#7d4e00}
.s-PRUNED,.s-empty{background:#eaeef2;color:#57606a}
.s-FAIL{background:#ffebe9;color:#a40e26}
.s-stalled{background:#fff1e5;color:#953800}
.s-running::before,.s-RUNNING::before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;background:#0969da;margin-right:5px;vertical-align:1px;animation:pulse 1.4s ease-in-out infinite}
@keyframes pulse{50%{opacity:.25}}
.counts{display:flex;flex-wrap:wrap;gap:4px 12px}.counts>span{white-space:nowrap}
.scroll{overflow-x:auto}
.muted{color:var(--muted)}
.note{color:var(--muted);font-size:13px;margin:6px 0 0}
.refresh{font-size:12px;color:var(--muted)}
.chart{text-align:center}
.chart svg{max-width:100%;height:auto}
pre{background:var(--soft);border:1px solid #eaeef2;border-radius:6px;padding:12px 14px;overflow:auto;font-size:12px;line-height:1.45;margin:0}
details summary{cursor:pointer;color:var(--muted);font-weight:600;margin:4px 0}
.err{border-left:4px solid #cf222e}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;font-variant-numeric:tabular-nums;margin:0}
.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
.chips{display:flex;flex-wrap:wrap;gap:4px 6px}
.chip{background:var(--soft);border:1px solid #eaeef2;border-radius:5px;padding:0 6px;font-size:12.5px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.chip i{font-style:normal;color:var(--muted)}.chip.null{opacity:.55}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:var(--soft);padding:1px 4px;border-radius:4px}
`;

/** A whole self-contained page: inline CSS, no scripts, no external assets; reloads itself when `refreshSeconds` is set. */
/** The page script (sorting, filtering, live updates, charts), served by the dashboard itself: the CSP allows only its own scripts. */
export const CLIENT_SCRIPT = '/static/dashboard.js';
/** vega, vega-lite and vega-embed from node_modules, in load order. */
export const CHART_SCRIPTS = ['/static/vega.min.js', '/static/vega-lite.min.js', '/static/vega-embed.min.js'];

export function page(f: PageFrame): string {
  const vendor = f.charts === true ? CHART_SCRIPTS.map((src) => `<script src="${src}"></script>`).join('') : '';
  const live = f.live === undefined ? '' : ` data-live="${esc(f.live.api)}" data-interval="${f.live.seconds}"`;
  const crumb = f.crumb === undefined ? '' : ` / <span>${esc(f.crumb)}</span>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(f.title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body${live}>
<header><a class="brand" href="/">l2lab <span>dashboard</span></a><nav><a href="/">studies</a>${crumb}</nav><div class="where" title="study store">${esc(f.location)}</div></header>
<main>
${f.body}
</main>
${vendor}<script src="${CLIENT_SCRIPT}"></script>
</body>
</html>
`;
}
