/** The contact sheet's style sheet (inlined into the page). */
export const CONTACT_SHEET_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--mute:#667085;--line:#e4e7ec;--ok:#12805c;--bad:#c0262d;--warn:#b25e09;--accent:#2f5bea}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg)}
header{padding:20px 24px 0;max-width:1280px;margin:0 auto}
.head{display:flex;align-items:baseline;gap:14px;flex-wrap:wrap}
h1{font-size:22px;margin:0}
.sub{color:var(--mute)}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px;min-width:108px}
.tile .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.tile .k{color:var(--mute);font-size:12px}
.tile.ok .v{color:var(--ok)}.tile.bad .v{color:var(--bad)}.tile.warn .v{color:var(--warn)}
table.lanes{border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:10px;margin-bottom:12px;font-variant-numeric:tabular-nums}
table.lanes th,table.lanes td{padding:5px 14px;text-align:right;border-bottom:1px solid var(--line)}
table.lanes th:first-child,table.lanes td:first-child{text-align:left}
table.lanes th{font-weight:600;color:var(--mute);font-size:12px}
.bar{display:flex;gap:12px;align-items:center;flex-wrap:wrap;padding:10px 0;position:sticky;top:0;background:var(--bg);z-index:2;border-bottom:1px solid var(--line)}
.bar.bottom{position:static;border:0;max-width:1280px;margin:0 auto;padding:6px 24px 30px}
.filters{display:flex;gap:6px}
button{font:inherit;border:1px solid var(--line);background:var(--card);color:var(--ink);border-radius:8px;padding:5px 11px;cursor:pointer}
button:hover{border-color:#b9c0cc}
button:disabled{opacity:.4;cursor:default}
button.on{background:var(--ink);color:#fff;border-color:var(--ink)}
button[data-filter=failed] span{color:var(--bad);font-weight:650}
button[data-filter=failed].on span{color:#ffb4b4}
button span{opacity:.85;margin-left:3px;font-variant-numeric:tabular-nums}
#q{flex:1;min-width:200px;max-width:360px;font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:8px}
.pager{display:flex;gap:8px;align-items:center;margin-left:auto;font-variant-numeric:tabular-nums;color:var(--mute)}
main{max-width:1280px;margin:0 auto;padding:12px 24px;display:flex;flex-direction:column;gap:12px}
.empty{color:var(--mute);padding:40px;text-align:center}
.item{display:grid;grid-template-columns:150px minmax(0,1fr) 340px;gap:16px;background:var(--card);border:1px solid var(--line);border-left:5px solid var(--ok);border-radius:10px;padding:12px}
.item.f{border-left-color:var(--bad);background:#fffafa}
.item.x{border-left-color:var(--warn)}
.checker{background-color:#fff;background-image:conic-gradient(#e3e6ea 25%,transparent 0 50%,#e3e6ea 0 75%,transparent 0);background-size:14px 14px}
.checker.dark{background-color:#2a2e35;background-image:conic-gradient(#3a3f48 25%,transparent 0 50%,#3a3f48 0 75%,transparent 0)}
.box{display:block;border:1px solid var(--line);border-radius:6px;overflow:hidden}
.box img{display:block;width:100%;height:100%;object-fit:contain}
.cut{width:150px;height:150px}
.small{display:flex;gap:6px;flex-wrap:wrap;margin-top:6px}
.small .box{width:64px;height:64px}
.lbl{font-size:11px;color:var(--mute);margin-top:6px}
.outs{display:flex;gap:10px;flex-wrap:wrap;align-content:flex-start}
.res{width:224px;height:168px;background:#eef0f3;position:relative}
.res .n{position:absolute;left:6px;bottom:6px;background:rgba(0,0,0,.55);color:#fff;font-size:11px;padding:1px 6px;border-radius:4px}
.plain{font-size:12px;color:var(--mute);width:100%}
.plain a{color:var(--accent);margin-right:6px}
.reason{border:1px solid #f3c5c7;background:#fdeced;color:#7a1419;border-radius:8px;padding:10px 12px;max-width:100%;overflow-wrap:anywhere}
.reason b{display:block;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;margin-bottom:3px;color:var(--bad)}
.none{color:var(--mute);font-size:12px;align-self:center}
.meta h2{font-size:15px;margin:0;overflow-wrap:anywhere}
.top{display:flex;gap:8px;align-items:center;justify-content:space-between}
.badge{font-size:11px;font-weight:650;text-transform:uppercase;letter-spacing:.04em;border-radius:20px;padding:2px 8px;background:#e3f4ec;color:var(--ok);white-space:nowrap}
.f .badge{background:#fde2e3;color:var(--bad)}
.x .badge{background:#fdf0dc;color:var(--warn)}
.prompt{margin:6px 0 4px}
.title{margin:0 0 6px;font-weight:600}
dl{display:grid;grid-template-columns:auto minmax(0,1fr);gap:1px 10px;margin:0;font-size:12px}
dt{color:var(--mute)}
dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
@media (max-width:900px){.item{grid-template-columns:110px minmax(0,1fr)}.cut{width:110px;height:110px}.meta{grid-column:1/-1}.res{width:150px;height:112px}}
`;
