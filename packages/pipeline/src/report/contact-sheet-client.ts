/**
 * The contact sheet's script (inlined into the page; plain ES2017, no libraries). It reads the JSON
 * island `#data`, filters (all / failed / succeeded / interrupted, and a search box) and shows one page
 * of items at a time; the state lives in the address's fragment (`#failed/2?q=cup`), so reloads and
 * the back button keep it.
 */
export const CONTACT_SHEET_CLIENT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var S = data.s, items = data.items, PAGE = data.ps || 40;
  var state = { filter: 'all', page: 0, q: '' };
  var main = document.getElementById('items');
  var search = document.getElementById('q');
  var STATUS = { o: 'succeeded', f: 'failed', x: 'interrupted' };
  function str(i) { return i === undefined || i < 0 ? '' : S[i]; }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function thumb(n) { return '.backdrop/thumbs/' + n + '.webp'; }
  function file(it, f) { return encodeURIComponent(it.i) + '/' + encodeURIComponent(f); }
  function secs(ms) { return ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s'; }
  function img(src, alt) { return '<img loading="lazy" decoding="async" src="' + esc(src) + '" alt="' + esc(alt) + '">'; }
  function matches(it) {
    if (state.filter !== 'all' && STATUS[it.s] !== state.filter) return false;
    if (!state.q) return true;
    var hay = [it.i, it.t || '', str(it.p), str(it.h), str(it.E), it.m || ''].join('\n').toLowerCase();
    return hay.indexOf(state.q.toLowerCase()) >= 0;
  }
  function card(it) {
    var st = STATUS[it.s];
    var h = '<article class="item ' + it.s + '" data-id="' + esc(it.i) + '" data-status="' + st + '">';
    h += '<div class="inputs">';
    if (it.c) h += '<a class="box cut checker" href="' + esc(thumb(it.c[1])) + '" target="_blank" title="Cut-out">' + img(thumb(it.c[0]), 'cut-out of ' + it.i) + '</a>';
    else h += '<div class="box cut checker"></div>';
    var small = '';
    (it.e || []).forEach(function (e) {
      var what = (e[0] === 'f' ? 'foreground' : 'background') + ' edge element' + (str(e[1]) ? ': ' + str(e[1]) : '');
      if (e[2]) small += '<a class="box checker dark" href="' + esc(thumb(e[3])) + '" target="_blank" title="' + esc(what) + '">' + img(thumb(e[2]), what) + '</a>';
    });
    if (it.r) small += '<a class="box" href="' + esc(thumb(it.r[1])) + '" target="_blank" title="reference image">' + img(thumb(it.r[0]), 'reference image') + '</a>';
    var label = [];
    if ((it.e || []).some(function (e) { return e[2]; })) label.push('edge elements');
    if (it.r) label.push('reference');
    if (small) h += '<div class="lbl">' + label.join(' · ') + '</div><div class="small">' + small + '</div>';
    h += '</div><div class="outs">';
    if (it.R) {
      it.R.forEach(function (r, n) {
        h += '<a class="box res" href="' + esc(file(it, r[0])) + '" target="_blank" title="' + esc(r[0]) + '">' + (r[1] ? img(thumb(r[1]), it.i + ' result ' + (n + 1)) : '') + '<span class="n">' + (n + 1) + '</span></a>';
      });
      if (it.P) h += '<div class="plain">without title: ' + it.P.map(function (p, n) { return '<a href="' + esc(file(it, p)) + '" target="_blank">' + (n + 1) + '</a>'; }).join('') + '</div>';
    } else if (it.s === 'f' || it.s === 'x') {
      h += '<div class="reason" role="note"><b>' + esc(str(it.E) || 'Failed') + '</b>' + esc(it.m || '') + '</div>';
    } else {
      h += '<div class="none">no result images</div>';
    }
    h += '</div><div class="meta"><div class="top"><h2>' + esc(it.i) + '</h2><span class="badge">' + (it.k ? 'done earlier' : st) + '</span></div>';
    if (str(it.p)) h += '<p class="prompt">' + esc(str(it.p)) + '</p>';
    if (str(it.h)) h += '<p class="title">“' + esc(str(it.h)) + '”</p>';
    h += '<dl>';
    if (str(it.n)) h += '<dt>negative</dt><dd>' + esc(str(it.n)) + '</dd>';
    if (str(it.q)) h += '<dt>parameters</dt><dd><code>' + esc(str(it.q)) + '</code></dd>';
    if (it.t) h += '<dt>task</dt><dd><code>' + esc(it.t) + '</code></dd>';
    if (it.z) h += '<dt>submitted</dt><dd>' + esc(new Date(it.z * 1000).toLocaleString()) + '</dd>';
    if (it.d) {
      var parts = [];
      if (it.d[0] >= 0) parts.push('queued ' + secs(it.d[0]));
      if (it.d[1] >= 0) parts.push('ran ' + secs(it.d[1]));
      if (it.d[2] >= 0) parts.push('download ' + secs(it.d[2]));
      if (it.d[3] >= 0) parts.push('total ' + secs(it.d[3]));
      if (parts.length) h += '<dt>timings</dt><dd>' + parts.join(' · ') + '</dd>';
    }
    if (it.b) h += '<dt>billed</dt><dd>' + it.b + ' image' + (it.b === 1 ? '' : 's') + '</dd>';
    if (it.a) h += '<dt>attempts</dt><dd>' + it.a + '</dd>';
    if ((it.s === 'f' || it.s === 'x') && it.R) h += '<dt>error</dt><dd><code>' + esc(str(it.E)) + '</code> ' + esc(it.m || '') + '</dd>';
    return h + '</dl></div></article>';
  }
  function readHash() {
    var m = /^#(all|failed|succeeded|interrupted)?(?:\/(\d+))?(?:\?q=(.*))?$/.exec(location.hash);
    if (!m) return;
    state.filter = m[1] || 'all';
    state.page = m[2] ? Math.max(0, parseInt(m[2], 10) - 1) : 0;
    state.q = m[3] ? decodeURIComponent(m[3]) : '';
    search.value = state.q;
  }
  function writeHash() {
    var h = '#' + state.filter + (state.page ? '/' + (state.page + 1) : '') + (state.q ? '?q=' + encodeURIComponent(state.q) : '');
    if (location.hash !== h) history.replaceState(null, '', h);
  }
  function render() {
    var list = items.filter(matches);
    var pages = Math.max(1, Math.ceil(list.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var slice = list.slice(state.page * PAGE, state.page * PAGE + PAGE);
    main.innerHTML = slice.length ? slice.map(card).join('') : '<p class="empty">No items match.</p>';
    var n = function (x) { return x.toLocaleString('en-US'); };
    var info = list.length ? n(state.page * PAGE + 1) + '–' + n(state.page * PAGE + slice.length) + ' of ' + n(list.length) + ' · page ' + n(state.page + 1) + ' / ' + n(pages) : '0 items';
    document.getElementById('pageinfo').textContent = info;
    Array.prototype.forEach.call(document.querySelectorAll('.pageinfo2'), function (e) { e.textContent = info; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-page=prev]'), function (b) { b.disabled = state.page === 0; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-page=next]'), function (b) { b.disabled = state.page >= pages - 1; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-filter]'), function (b) {
      b.classList.toggle('on', b.getAttribute('data-filter') === state.filter);
      b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === state.filter));
    });
    writeHash();
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button');
    if (!b) return;
    if (b.hasAttribute('data-filter')) { state.filter = b.getAttribute('data-filter'); state.page = 0; render(); }
    else if (b.getAttribute('data-page') === 'prev' && state.page > 0) { state.page--; render(); window.scrollTo(0, 0); }
    else if (b.getAttribute('data-page') === 'next') { state.page++; render(); window.scrollTo(0, 0); }
  });
  var timer;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = search.value.trim(); state.page = 0; render(); }, 150);
  });
  window.addEventListener('hashchange', function () { readHash(); render(); });
  readHash();
  render();
})();
`;
