// mailspec HTML report: filters, matrix toggle, and opening cases.
// The page works without this script (every case is a details element); the
// script only hides and shows what is already there. It sends nothing.
(function () {
  'use strict';
  var doc = document;
  function byId(id) { return doc.getElementById(id); }
  function all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

  var rows = all('details.case-row');
  var ctl = {
    verdict: byId('filter-verdict'),
    protocol: byId('filter-protocol'),
    rfc: byId('filter-rfc'),
    level: byId('filter-level'),
    target: byId('filter-target'),
    text: byId('filter-text'),
    deep: byId('filter-transcripts')
  };
  var shortText = new WeakMap();
  var deepText = new WeakMap();

  // searchText is what the text search looks in: the row's summary and
  // its reason, expected and got; with deep, the transcript too.
  function searchText(row, deep) {
    var cache = deep ? deepText : shortText;
    var s = cache.get(row);
    if (s === undefined) {
      if (deep) {
        s = row.textContent;
      } else {
        s = row.querySelector('summary').textContent;
        var t = row.querySelector('.case-text');
        if (t) { s += ' ' + t.textContent; }
      }
      s = s.toLowerCase();
      cache.set(row, s);
    }
    return s;
  }

  function value(el) { return el ? el.value : ''; }

  function apply() {
    var v = value(ctl.verdict), p = value(ctl.protocol), r = value(ctl.rfc);
    var l = value(ctl.level), tg = value(ctl.target);
    var words = value(ctl.text).toLowerCase().split(/\s+/).filter(Boolean);
    var deep = !!(ctl.deep && ctl.deep.checked);
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!v || d.verdict === v) &&
        (!p || d.protocol === p) &&
        (!l || d.level === l) &&
        (!tg || d.target === tg) &&
        (!r || (' ' + d.rfc + ' ').indexOf(' ' + r + ' ') >= 0);
      if (ok && words.length) {
        var s = searchText(row, deep);
        ok = words.every(function (w) { return s.indexOf(w) >= 0; });
      }
      row.hidden = !ok;
      if (ok) { shown++; }
    });
    var count = byId('shown-count');
    if (count) { count.textContent = shown + ' of ' + rows.length + ' shown'; }
    var none = byId('no-match');
    if (none) { none.hidden = shown !== 0; }
  }

  function reset() {
    ['verdict', 'protocol', 'rfc', 'level', 'target', 'text'].forEach(function (k) {
      if (ctl[k]) { ctl[k].value = ''; }
    });
    if (ctl.deep) { ctl.deep.checked = false; }
    apply();
  }

  ['verdict', 'protocol', 'rfc', 'level', 'target', 'deep'].forEach(function (k) {
    if (ctl[k]) { ctl[k].addEventListener('change', apply); }
  });
  if (ctl.text) { ctl.text.addEventListener('input', apply); }
  var resetButton = byId('filter-reset');
  if (resetButton) { resetButton.addEventListener('click', reset); }

  // Summary tiles filter by their verdict.
  all('[data-set-verdict]').forEach(function (tile) {
    tile.addEventListener('click', function () {
      reset();
      if (ctl.verdict) { ctl.verdict.value = tile.getAttribute('data-set-verdict'); }
      apply();
      var cases = byId('cases');
      if (cases) { cases.scrollIntoView({ block: 'start' }); }
    });
  });

  var openFailures = byId('open-failures');
  if (openFailures) {
    openFailures.addEventListener('click', function () {
      rows.forEach(function (row) {
        var v = row.dataset.verdict;
        if (!row.hidden && (v === 'fail' || v === 'error')) { row.open = true; }
      });
    });
  }
  var closeAll = byId('close-all');
  if (closeAll) {
    closeAll.addEventListener('click', function () { rows.forEach(function (row) { row.open = false; }); });
  }

  // showFailing brings the failing exchange of a case into view: to the
  // middle of the transcript's scroll box, so that the commands before it
  // show too, then into the window if it is not there yet.
  function showFailing(el) {
    var failing = el.querySelector('tr.failing');
    if (!failing) { return; }
    var wrap = failing.closest('.transcript-wrap');
    if (wrap) {
      var fr = failing.getBoundingClientRect(), wr = wrap.getBoundingClientRect();
      wrap.scrollTop += (fr.top - wr.top) - (wrap.clientHeight - fr.height) / 2;
    }
    failing.scrollIntoView({ block: 'nearest' });
  }

  // Opening a case brings its failing exchange into view.
  doc.addEventListener('toggle', function (e) {
    var el = e.target;
    if (el && el.classList && el.open && el.classList.contains('case-row')) { showFailing(el); }
  }, true);

  // A link to a case (#c-N, from the matrix) opens it, clearing filters
  // that would hide it.
  function reveal(id) {
    var el = id && byId(id);
    if (!el || !el.classList.contains('case-row')) { return; }
    if (el.hidden) { reset(); }
    el.open = true;
    el.scrollIntoView({ block: 'start' });
    showFailing(el);
  }
  function revealHash() { reveal(decodeURIComponent(location.hash.slice(1))); }
  window.addEventListener('hashchange', revealHash);
  doc.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#c-"]');
    if (a && location.hash === a.getAttribute('href')) { reveal(a.getAttribute('href').slice(1)); }
  });

  // Matrix: only the rows whose verdicts differ between targets.
  var differ = byId('matrix-differ');
  var matrixRows = all('#matrix tr.matrix-row');
  function applyMatrix() {
    var only = !!(differ && differ.checked);
    matrixRows.forEach(function (row) { row.hidden = only && row.dataset.differ !== 'true'; });
  }
  if (differ) { differ.addEventListener('change', applyMatrix); }

  // "/" focuses the search, as in many code browsers.
  doc.addEventListener('keydown', function (e) {
    if (e.key === '/' && ctl.text && doc.activeElement !== ctl.text &&
        !/^(INPUT|SELECT|TEXTAREA)$/.test(doc.activeElement ? doc.activeElement.tagName : '')) {
      e.preventDefault();
      ctl.text.focus();
    }
  });

  // Printing shows failures and errors opened.
  window.addEventListener('beforeprint', function () {
    rows.forEach(function (row) {
      var v = row.dataset.verdict;
      if (v === 'fail' || v === 'error') { row.open = true; }
    });
  });

  // A reload may restore form values: show what they select.
  apply();
  applyMatrix();
  revealHash();
}());
