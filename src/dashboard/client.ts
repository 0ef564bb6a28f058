/**
 * The page script the dashboard serves at /static/dashboard.js (plain ES2017, no build step):
 * sortable and filterable tables, live updates from the JSON API (only what changed since the
 * last version), and the interactive vega-embed charts fed from it.
 */
export const CLIENT_JS = String.raw`'use strict';
(function () {
  var body = document.body;

  /* Sortable tables: click a header; numbers sort as numbers (a cell's data-sort wins over its text). */
  function cellKey(td) {
    if (!td) return '';
    var k = td.getAttribute('data-sort');
    var t = (k !== null ? k : td.textContent).trim();
    var n = parseFloat(t);
    return t !== '' && isFinite(n) && /^[-+0-9.]/.test(t) ? n : t.toLowerCase();
  }
  function applySort(table) {
    if (!table || table.dataset.sortCol === undefined) return;
    var col = +table.dataset.sortCol;
    var s = table.dataset.sortDir === 'descending' ? -1 : 1;
    var tb = table.tBodies[0];
    var rows = Array.prototype.slice.call(tb.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a.cells[col]), y = cellKey(b.cells[col]);
      if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
      return x === y ? 0 : (x < y ? -1 : 1) * s;
    });
    rows.forEach(function (r) { tb.appendChild(r); });
  }
  function applyFilter(table) {
    if (!table) return;
    var input = document.querySelector('input.filter[data-table="' + table.id + '"]');
    var q = input ? input.value.trim().toLowerCase() : '';
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) { r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0; });
  }
  document.addEventListener('click', function (ev) {
    var th = ev.target.closest && ev.target.closest('table.sortable th');
    if (!th || th.hasAttribute('data-nosort')) return;
    var table = th.closest('table');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    table.dataset.sortCol = String(th.cellIndex);
    table.dataset.sortDir = dir;
    applySort(table);
  });
  document.addEventListener('input', function (ev) {
    if (ev.target.classList && ev.target.classList.contains('filter')) applyFilter(document.getElementById(ev.target.dataset.table));
  });

  /* Overview: the ticked studies make the compare link. */
  function updateCompare() {
    var a = document.getElementById('compare');
    if (!a) return;
    var names = Array.prototype.map.call(document.querySelectorAll('input.pick:checked'), function (i) { return 'study=' + encodeURIComponent(i.value); });
    a.href = '/compare?' + names.join('&');
    a.classList.toggle('off', names.length < 2);
  }
  document.addEventListener('change', function (ev) { if (ev.target.classList && ev.target.classList.contains('pick')) updateCompare(); });
  updateCompare();

  /* A row the server rendered replaces the row of the same id, or joins the table. */
  function putRow(table, id, html) {
    var holder = document.createElement('tbody');
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    var old = document.getElementById(id);
    if (old) {
      var was = old.querySelector('input.pick');
      var now = row.querySelector('input.pick');
      if (was && now) now.checked = was.checked;
      old.replaceWith(row);
    } else table.tBodies[0].appendChild(row);
  }

  /* Interactive charts (vega-embed); their data is pushed in place, so zoom and the metric choice survive updates. */
  var FORMAT = '.4~g';
  var views = {};
  /* The first draw embeds the spec with its data (top-level datasets); later draws replace the data in the view. */
  function push(id, spec, data) {
    var el = document.getElementById(id);
    if (!el || typeof vegaEmbed !== 'function') return Promise.resolve();
    var drawn = views[id];
    if (!drawn) {
      el.textContent = '';
      spec.datasets = data;
      drawn = views[id] = vegaEmbed(el, spec, { actions: false, ast: true, renderer: 'svg', logLevel: vega.Error }).then(function (r) { return r.view; });
    } else {
      drawn = drawn.then(function (view) {
        Object.keys(data).forEach(function (name) { view.data(name, data[name]); });
        return view.runAsync().then(function () { return view; });
      });
      views[id] = drawn;
    }
    return drawn.then(function () { el.dataset.drawn = 'true'; });
  }
  var lambdaX = { field: 'lambda', type: 'quantitative', scale: { type: 'log' }, title: 'λ (seed convention)', axis: { format: '~g', labelOverlap: 'greedy', labelFlush: true } };
  function validationSpec(colorTitle) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 300,
      layer: [
        { data: { name: 'shade' }, mark: { type: 'rect', color: '#e3b341', opacity: 0.16 },
          encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, tooltip: [{ field: 'note', title: 'shaded' }] } },
        { data: { name: 'band' }, mark: { type: 'rect', color: '#4c78a8', opacity: 0.12 },
          encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, tooltip: [{ field: 'range', title: 'λ the data cannot separate from λ_min' }, { field: 'basis', title: 'rule' }] } },
        { data: { name: 'means' }, mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
          encoding: { x: lambdaX, y: { field: 'value', type: 'quantitative', title: 'loss', scale: { zero: false } },
            color: { field: 'series', type: 'nominal', title: colorTitle, scale: { scheme: 'tableau10' } },
            tooltip: [{ field: 'series' }, { field: 'lambda', title: 'λ', format: FORMAT }, { field: 'value', title: 'mean loss', format: '.4f' }, { field: 'se', title: 'SE', format: '.4f' }, { field: 'epoch', title: 'epoch' }, { field: 'folds', title: 'folds' }] } },
        { data: { name: 'folds' }, mark: { type: 'point', size: 22, opacity: 0.55, filled: true },
          params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
          encoding: { x: lambdaX, y: { field: 'val_loss', type: 'quantitative' }, color: { field: 'series', type: 'nominal' },
            tooltip: [{ field: 'series' }, { field: 'lambda', title: 'λ', format: FORMAT }, { field: 'fold', title: 'fold' }, { field: 'epoch', title: 'epoch' }, { field: 'val_loss', title: 'validation loss', format: '.4f' }, { field: 'train_loss', title: 'training loss', format: '.4f' }, { field: 'val_accuracy', title: 'validation accuracy', format: '.2%' }] } },
      ],
    };
  }
  var METRICS = ['val_loss', 'train_loss', 'val_accuracy', 'penalty', 'sum_squares'];
  var LEARNING = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 300,
    params: [{ name: 'metric', value: 'val_loss', bind: { input: 'select', options: METRICS, labels: ['validation loss', 'training loss', 'validation accuracy', 'penalty (λ/2m)·Σθ²', 'Σθ²'], name: 'show ' } }],
    data: { name: 'epochs' },
    transform: [
      { fold: METRICS, as: ['metric_name', 'value'] },
      { filter: 'datum.metric_name === metric && isValid(datum.value)' },
      { aggregate: [{ op: 'mean', field: 'value', as: 'value' }, { op: 'count', as: 'members' }], groupby: ['trial', 'lambda', 'epoch'] },
    ],
    mark: { type: 'line', point: { size: 16 }, strokeWidth: 1.6 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch (0 = initialization)', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: 'mean over folds', scale: { zero: false } },
      color: { field: 'lambda', type: 'ordinal', title: 'λ', scale: { scheme: 'tableau10' }, legend: { format: FORMAT } },
      detail: { field: 'trial' },
      tooltip: [{ field: 'lambda', title: 'λ', format: FORMAT }, { field: 'epoch', title: 'epoch' }, { field: 'value', title: 'value (mean over folds)', format: '.4~f' }, { field: 'members', title: 'folds' }],
    },
  };

  /* Chart rows from trial views (the API's TrialView). */
  function curveRows(trials, series) {
    var out = { means: [], folds: [], hi: null, lo: null };
    trials.forEach(function (t) {
      if (t.lambda > 0 && (out.lo === null || t.lambda < out.lo)) out.lo = t.lambda;
      if (t.lambda_timescale_epochs !== null && t.epochs_trained !== null && t.lambda_timescale_epochs > t.epochs_trained && (out.hi === null || t.lambda > out.hi)) out.hi = t.lambda;
      if (t.state !== 'COMPLETE' || t.val_mean === null || !(t.lambda > 0)) return;
      var s = series(t);
      out.means.push({ series: s.validation, lambda: t.lambda, value: t.val_mean, se: t.val_se, epoch: t.epochs_trained, folds: t.folds.length });
      if (s.training && t.train_mean !== null) out.means.push({ series: s.training, lambda: t.lambda, value: t.train_mean, se: null, epoch: t.epochs_trained, folds: t.folds.length });
      t.folds.forEach(function (f) { if (f.val_loss !== null) out.folds.push({ series: s.validation, lambda: t.lambda, fold: f.fold + 1, epoch: f.epoch, val_loss: f.val_loss, train_loss: f.train_loss, val_accuracy: f.val_accuracy }); });
    });
    return out;
  }
  /* The λ range the data cannot separate from λ_min (the selection's interval), when it is a range. */
  function band(sel) {
    var i = sel && sel.interval;
    return i && i.high > i.low ? [{ lo: i.low, hi: i.high, range: i.low.toPrecision(3) + ' – ' + i.high.toPrecision(3), basis: i.basis }] : [];
  }
  function shade(rows) {
    return rows.hi === null || rows.lo === null ? [] : [{ lo: rows.lo, hi: rows.hi, note: 'λ had no time to act (τ > epochs trained)' }];
  }

  var api = body.dataset.live;
  if (!api) return;
  var interval = +(body.dataset.interval || 0) * 1000;
  var state = { since: 0, after: 0, trials: new Map(), epochs: new Map() };
  var stateLine = document.getElementById('live-state');

  function applyOverview(j) {
    var table = document.getElementById('studies');
    if (!table) { if (j.studies.length > 0) location.reload(); return; }
    j.studies.forEach(function (s) { putRow(table, 'study-' + s.id, s.html); });
    applySort(table);
    applyFilter(table);
  }
  function applyStudy(j) {
    var d = j.study;
    var tiles = document.getElementById('tiles');
    if (tiles && j.fragments) tiles.innerHTML = j.fragments.tiles;
    var table = document.getElementById('trials');
    if (!table && d.trials.length > 0 && state.since > 0) { location.reload(); return; }
    d.trials.forEach(function (t) {
      state.trials.set(t.id, t);
      if (table && j.fragments) putRow(table, 'trial-' + t.id, j.fragments.trials[t.id]);
    });
    applySort(table);
    applyFilter(table);
    j.epochs.forEach(function (e) { state.epochs.set(e.trialId + ':' + e.member + ':' + e.epoch, e); });
    if (d.evidence !== null) return;
    var trials = Array.from(state.trials.values());
    var rows = curveRows(trials, function () { return { validation: 'validation', training: 'training' }; });
    var epochs = [];
    state.epochs.forEach(function (e) {
      var t = state.trials.get(e.trialId);
      if (t) epochs.push({ trial: t.number, lambda: t.lambda, member: e.member, epoch: e.epoch, train_loss: e.trainLoss, val_loss: e.valLoss, val_accuracy: e.valAccuracy, penalty: e.penalty, sum_squares: e.sumSquares });
    });
    return Promise.all([
      push('validation-chart', validationSpec('curve'), { means: rows.means, folds: rows.folds, shade: shade(rows), band: band(d.selection) }),
      epochs.length > 0 ? push('learning-chart', LEARNING, { epochs: epochs }) : null,
    ]);
  }
  function applyCompare(j) {
    var all = { means: [], folds: [] };
    j.studies.forEach(function (s) {
      var rows = curveRows(s.trials, function () { return { validation: s.name }; });
      all.means = all.means.concat(rows.means);
      all.folds = all.folds.concat(rows.folds);
    });
    return push('validation-chart', validationSpec('study'), { means: all.means, folds: all.folds, shade: [], band: [] });
  }
  function url() {
    return api + (api.indexOf('?') < 0 ? '?' : '&') + 'since=' + state.since + '&epochs_after=' + state.after + '&fragments=1';
  }
  function poll() {
    fetch(url(), { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status)); })
      .then(function (j) {
        var done = j.studies && !j.compare ? applyOverview(j) : j.compare ? applyCompare(j) : applyStudy(j);
        state.since = j.version;
        if (j.epochs_cursor !== undefined) state.after = j.epochs_cursor;
        return done;
      })
      .then(function () { body.dataset.version = String(state.since); })
      .catch(function (e) { if (stateLine) stateLine.textContent = 'live updates failed: ' + e.message + ' (retrying)'; })
      .then(function () { if (interval > 0) setTimeout(poll, interval); });
  }
  poll();
})();
`;
