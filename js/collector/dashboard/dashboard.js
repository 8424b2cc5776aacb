// The collector's dashboard, in the browser. It reads only the query API (GET /api/...), and
// POSTs only to acknowledge an alert. A read token is asked for only when the summary answers
// 401, and kept in sessionStorage (this tab, this session). Charts are uPlot (loaded before this
// script, bundled by scripts/build-dashboard.mjs). Everything from the API is put in the page as
// text (textContent), never as markup: log messages and attributes are the senders' data.
(() => {
  'use strict';

  const TOKEN_KEY = 'edgescope.readToken';
  // A step as the metrics API names it ('1m', '15m', '6h', '1d') in seconds: rates are per second.
  const UNIT_SECONDS = { m: 60, h: 3600, d: 86400 };
  function stepSeconds(step) {
    const m = /^(\d+)([mhd])$/.exec(step ?? '');
    return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : null;
  }
  const DURATION_METRIC = 'http.server.request.duration';
  const PAGE = 50;
  const MAX_SPANS = 2000;

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    service: null,
    window: '1h',
    summary: null,
    charts: [],
    cursors: { traces: null, logs: null, alerts: null },
    // The current load's AbortController: a newer load (another service or window, Refresh)
    // cancels the older one's requests, so a slow old answer never paints over a new one.
    loading: null,
  };

  class AuthRequired extends Error {}
  const aborted = (error) => error?.name === 'AbortError';

  // ---- helpers ------------------------------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key.startsWith('data-')) node.setAttribute(key, String(value));
      else node[key] = value;
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const DASH = '—';
  const isNumber = (x) => typeof x === 'number' && Number.isFinite(x);
  const count = (n) => (isNumber(n) ? Math.round(n).toLocaleString('en-US') : DASH);
  const percent = (r, digits = 2) => (isNumber(r) ? `${(r * 100).toFixed(digits)}%` : DASH);
  // Seconds (the API's unit for latencies) shown in ms below one second, in s above.
  function seconds(s) {
    if (!isNumber(s)) return DASH;
    const ms = s * 1000;
    return ms < 1000 ? `${ms.toFixed(1)} ms` : `${s.toFixed(2)} s`;
  }
  const millis = (ms) => (isNumber(ms) ? seconds(ms / 1000) : DASH);
  const time = (ms) => (isNumber(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : DASH);
  const bytes = (n) => {
    if (!isNumber(n)) return DASH;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
  };
  const burn = (x) => (isNumber(x) ? `${x.toFixed(2)}×` : DASH);

  function bar(ratio, kind = '') {
    const fill = el('span', { class: `bar-fill ${kind}` });
    fill.style.width = `${Math.max(0, Math.min(1, isNumber(ratio) ? ratio : 0)) * 100}%`;
    return el('span', { class: 'bar' }, fill);
  }

  function query(path, params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
    const qs = search.toString();
    return qs ? `${path}?${qs}` : path;
  }

  async function api(path, init = {}) {
    const headers = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (state.token) headers.authorization = `Bearer ${state.token}`;
    const response = await fetch(path, { signal: state.loading?.signal, ...init, headers, cache: 'no-store' });
    if (response.status === 401) throw new AuthRequired(`${path}: 401`);
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: the status line says what happened.
    }
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${body?.error ?? response.statusText}`);
    return body;
  }

  // Shows a section's failure in the section (the rest of the page keeps working).
  function sectionError(section, error) {
    let p = $('.section-error', section);
    if (!p) {
      p = el('p', { class: 'section-error error-text' });
      section.append(p);
    }
    p.hidden = !error;
    p.textContent = error ? `Could not load: ${error.message}` : '';
  }

  async function guarded(section, work) {
    try {
      sectionError(section, null);
      await work();
    } catch (error) {
      if (error instanceof AuthRequired) throw error;
      if (!aborted(error)) sectionError(section, error);
    } finally {
      section.dataset.loaded = 'true';
    }
  }

  function fillBody(table, rows, empty) {
    const tbody = $('tbody', table);
    tbody.replaceChildren(...rows);
    if (rows.length === 0) tbody.append(el('tr', { class: 'empty' }, el('td', { colSpan: $('thead tr', table).children.length, text: empty })));
  }

  // ---- token ----------------------------------------------------------------------------------

  function askForToken(message) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('#main').hidden = true;
    $('#token').hidden = false;
    $('#forget-token').hidden = true;
    $('#token-error').textContent = message ?? '';
    $('#token-input').focus();
    document.body.dataset.state = 'token';
  }

  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('#token-input').value.trim();
    if (!value) return;
    state.token = value;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('#token-input').value = '';
    load().catch(fatal);
  });
  $('#forget-token').addEventListener('click', () => askForToken());

  // ---- summary: health numbers, routes, cache tiers, errors ----------------------------------

  function selectedSummary() {
    return state.summary?.services.find((s) => s.service === state.service) ?? null;
  }

  function renderServices() {
    const select = $('#service');
    const services = state.summary.services.map((s) => s.service);
    // Until one is picked: the busiest service in the window.
    if (!services.includes(state.service)) {
      const busiest = [...state.summary.services].sort((a, b) => (b.requests ?? 0) - (a.requests ?? 0))[0];
      state.service = busiest?.service ?? null;
    }
    select.replaceChildren(...services.map((name) => el('option', { value: name, text: name, selected: name === state.service })));
    $('#no-data').hidden = services.length > 0;
  }

  function renderHealthNumbers(s) {
    const values = {
      requests: count(s?.requests ?? 0),
      errors: count(s?.errors ?? 0),
      errorRate: percent(s?.errorRate),
      p50: seconds(s?.p50),
      p95: seconds(s?.p95),
      p99: seconds(s?.p99),
    };
    for (const [key, text] of Object.entries(values)) $(`[data-kpi="${key}"]`).textContent = text;
  }

  function renderRoutes(s) {
    const rows = (s?.routes ?? []).map((r) =>
      el(
        'tr',
        { 'data-route': r.route ?? '' },
        el('td', { class: 'route', text: r.route ?? '(no route)' }),
        el('td', { class: 'num', 'data-col': 'requests', text: count(r.requests) }),
        el('td', { class: 'num', 'data-col': 'errors', text: count(r.errors) }),
        el('td', { class: 'num', 'data-col': 'errorRate', text: percent(r.errorRate) }),
        el('td', { class: 'num', 'data-col': 'p50', text: seconds(r.p50) }),
        el('td', { class: 'num', 'data-col': 'p95', text: seconds(r.p95) }),
        el('td', { class: 'num', 'data-col': 'p99', text: seconds(r.p99) }),
      ),
    );
    fillBody($('#routes table'), rows, 'No routes in this window.');
  }

  function renderCache(s) {
    const rows = (s?.cacheTiers ?? []).map((t) =>
      el(
        'tr',
        { 'data-tier': t.tier },
        el('td', { text: t.tier }),
        el('td', { class: 'num', 'data-col': 'lookups', text: count(t.lookups) }),
        el('td', { class: 'num', 'data-col': 'hits', text: count(t.hits) }),
        el('td', { class: 'num', 'data-col': 'hitRatio', text: percent(t.hitRatio, 1) }),
        el('td', {}, bar(t.hitRatio, 'good')),
        el('td', { class: 'num', 'data-col': 'bytes', text: bytes(t.bytes) }),
      ),
    );
    fillBody($('#cache table'), rows, 'No cache lookups in this window.');
  }

  function renderErrors(s) {
    for (const severity of ['CRITICAL', 'WARNING', 'INFO']) $(`[data-severity="${severity}"]`).textContent = count(s?.errorsBySeverity?.[severity] ?? 0);
    const rows = (s?.topErrors ?? []).map((e) =>
      el(
        'tr',
        { 'data-fingerprint': e.fingerprint },
        el('td', {}, el('span', { class: `badge sev-${e.severity}`, text: e.severity ?? DASH })),
        el('td', {}, el('code', { text: e.fingerprint })),
        el('td', { text: e.category ?? DASH }),
        el('td', { text: e.type ?? DASH }),
        el('td', { class: 'message', text: e.message ?? '' }),
        el('td', { text: e.route ?? DASH }),
        el('td', { class: 'num', 'data-col': 'count', text: count(e.count) }),
        el('td', { text: time(e.lastSeen) }),
      ),
    );
    fillBody($('#errors table'), rows, 'No errors in this window.');
  }

  function renderSummarySections() {
    const s = selectedSummary();
    renderHealthNumbers(s);
    renderRoutes(s);
    renderCache(s);
    renderErrors(s);
  }

  // ---- charts (uPlot) -------------------------------------------------------------------------

  function chartWidth(target) {
    return Math.max(280, target.clientWidth || 600);
  }

  function drawChart(target, series, data) {
    const opts = {
      width: chartWidth(target),
      height: 220,
      legend: { live: true },
      // The whole window on the x axis (the summary's from/to), however few points there are.
      scales: { x: { time: true, range: () => [state.summary.from / 1000, state.summary.to / 1000] } },
      axes: [{}, { size: 60 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: data[0].length < 3 } }))],
    };
    const chart = new uPlot(opts, data, target);
    state.charts.push({ chart, target });
  }

  function clearCharts() {
    for (const { chart } of state.charts) chart.destroy();
    state.charts = [];
  }

  // A group's points by their time; missing steps are gaps (null), not zeros drawn as data.
  function alignedTimes(seriesList) {
    const times = new Set();
    for (const s of seriesList) for (const p of s.points) times.add(p.t);
    return [...times].sort((a, b) => a - b);
  }

  // Requests and errors per second, from the duration histogram's counts per step grouped by
  // `groupBy=error`: the collector says which requests are errors (its one rule, the summary's and
  // the availability SLOs'), so the chart never disagrees with the numbers beside it.
  function rateData(byOutcome, stepSeconds) {
    const times = alignedTimes(byOutcome.series);
    const index = new Map(times.map((t, i) => [t, i]));
    const all = times.map(() => 0);
    const errors = times.map(() => 0);
    for (const s of byOutcome.series) {
      const isError = s.group?.error === true;
      for (const p of s.points) {
        const i = index.get(p.t);
        all[i] += p.count ?? 0;
        if (isError) errors[i] += p.count ?? 0;
      }
    }
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    return { totals: { requests: sum(all), errors: sum(errors) }, data: [times.map((t) => t / 1000), all.map((n) => n / stepSeconds), errors.map((n) => n / stepSeconds)] };
  }

  function latencyData(byService) {
    const series = byService.series.filter((s) => s.group?.service === undefined || s.group.service === state.service);
    const times = alignedTimes(series);
    const points = new Map();
    for (const s of series) for (const p of s.points) points.set(p.t, p);
    const ms = (q) => times.map((t) => (isNumber(points.get(t)?.[q]) ? points.get(t)[q] * 1000 : null));
    return [times.map((t) => t / 1000), ms('p50'), ms('p95'), ms('p99')];
  }

  async function loadCharts() {
    // The API picks the step for the window (about 5 to 120 points).
    const common = { service: state.service, window: state.window };
    const [byOutcome, byService] = await Promise.all([
      api(query(`/api/metrics/${encodeURIComponent(DURATION_METRIC)}`, { ...common, groupBy: 'error' })),
      api(query(`/api/metrics/${encodeURIComponent(DURATION_METRIC)}`, { ...common, groupBy: 'service' })),
    ]);
    const rate = rateData(byOutcome, stepSeconds(byOutcome.step) ?? 60);
    clearCharts();
    $('[data-chart-total="requests"]').textContent = count(rate.totals.requests);
    $('[data-chart-total="errors"]').textContent = count(rate.totals.errors);
    $('[data-chart-step]').textContent = byOutcome.step;
    $('#chart-rate').replaceChildren();
    $('#chart-latency').replaceChildren();
    drawChart(
      $('#chart-rate'),
      [
        { label: 'requests/s', color: '#2f6fde' },
        { label: 'errors/s', color: '#d33c3c' },
      ],
      rate.data,
    );
    drawChart(
      $('#chart-latency'),
      [
        { label: 'p50', color: '#2a9d5c' },
        { label: 'p95', color: '#e0a100' },
        { label: 'p99', color: '#d33c3c' },
      ],
      latencyData(byService),
    );
  }

  window.addEventListener('resize', () => {
    for (const { chart, target } of state.charts) chart.setSize({ width: chartWidth(target), height: 220 });
  });

  // ---- traces and the waterfall ---------------------------------------------------------------

  function traceRow(t) {
    return el(
      'tr',
      { class: 'clickable', 'data-trace-id': t.traceId, onclick: () => showTrace(t.traceId).catch(fatal) },
      el('td', { text: t.rootName ?? DASH }),
      el('td', { text: t.service ?? DASH }),
      el('td', { text: time(t.startTime) }),
      el('td', { class: 'num', text: millis(t.durationMs) }),
      el('td', { class: 'num', text: count(t.spanCount) }),
      el('td', {}, t.error ? el('span', { class: 'badge sev-CRITICAL', text: 'error' }) : ''),
    );
  }

  async function loadTraces(append = false) {
    const section = $('#traces');
    await guarded(section, async () => {
      const min = $('#trace-min').value;
      const body = await api(
        query('/api/traces', {
          service: state.service,
          window: state.window,
          minDurationMs: min,
          error: $('#trace-error').value,
          limit: PAGE,
          cursor: append ? state.cursors.traces : undefined,
        }),
      );
      state.cursors.traces = body.nextCursor ?? null;
      const rows = body.traces.map(traceRow);
      if (append) $('tbody', section).append(...rows);
      else fillBody($('table', section), rows, 'No traces match.');
      $('.more', section).hidden = !state.cursors.traces;
    });
  }

  // Depth-first order under each parent, so children sit below the span that started them.
  function ordered(spans) {
    const byParent = new Map();
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) {
      const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(s);
    }
    for (const list of byParent.values()) list.sort((a, b) => a.startTime - b.startTime);
    const out = [];
    const walk = (parent, depth) => {
      for (const s of byParent.get(parent) ?? []) {
        out.push({ span: s, depth });
        walk(s.spanId, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }

  async function showTrace(traceId) {
    const section = $('#traces');
    await guarded(section, async () => {
      // A trace's spans come in pages of 500; a waterfall wants them all (up to MAX_SPANS).
      const trace = await api(`/api/traces/${encodeURIComponent(traceId)}`);
      while (trace.nextCursor && trace.spans.length < MAX_SPANS) {
        const next = await api(query(`/api/traces/${encodeURIComponent(traceId)}`, { cursor: trace.nextCursor }));
        trace.spans.push(...next.spans);
        trace.nextCursor = next.nextCursor;
      }
      const rows = ordered(trace.spans);
      const start = Math.min(...trace.spans.map((s) => s.startTime));
      const end = Math.max(...trace.spans.map((s) => s.endTime));
      const total = Math.max(end - start, 1e-3);
      const detail = $('#span-detail');
      detail.hidden = true;
      $('#waterfall-id').textContent = traceId;
      $('.waterfall-rows').replaceChildren(
        ...rows.map(({ span, depth }) => {
          const fill = el('span', { class: `span-bar ${span.status === 'error' ? 'error' : ''}` });
          fill.style.left = `${((span.startTime - start) / total) * 100}%`;
          fill.style.width = `${Math.max(((span.endTime - span.startTime) / total) * 100, 0.4)}%`;
          const name = el('span', { class: 'span-name', text: span.name, title: `${span.service ?? ''} ${span.kind ?? ''}`.trim() });
          name.style.paddingLeft = `${depth * 14}px`;
          return el(
            'div',
            {
              class: 'span-row',
              'data-span-id': span.spanId,
              onclick: () => {
                detail.hidden = false;
                detail.textContent = JSON.stringify(
                  { name: span.name, service: span.service, kind: span.kind, status: span.status, statusMessage: span.statusMessage || undefined, attributes: span.attributes, events: span.events },
                  null,
                  2,
                );
              },
            },
            name,
            el('span', { class: 'span-track' }, fill),
            el('span', { class: 'num span-duration', text: millis(span.durationMs) }),
          );
        }),
      );
      $('#waterfall').hidden = false;
      for (const row of $('#traces tbody').children) row.classList.toggle('selected', row.dataset.traceId === traceId);
    });
  }

  // ---- logs -----------------------------------------------------------------------------------

  function logRow(l) {
    return el(
      'tr',
      { class: `level-${l.level}` },
      el('td', { text: time(l.time) }),
      el('td', {}, el('span', { class: `badge level-${l.level}`, text: l.level })),
      el('td', { text: l.service ?? DASH }),
      el('td', { class: 'message', text: l.message, title: l.attributes && Object.keys(l.attributes).length ? JSON.stringify(l.attributes) : undefined }),
      el('td', {}, l.traceId ? el('a', { href: '#traces', text: `${l.traceId.slice(0, 8)}…`, onclick: () => showTrace(l.traceId).catch(fatal) }) : ''),
    );
  }

  async function loadLogs(append = false) {
    const section = $('#logs');
    await guarded(section, async () => {
      const body = await api(
        query('/api/logs', {
          service: state.service,
          window: state.window,
          level: $('#log-level').value,
          q: $('#log-q').value.trim(),
          traceId: $('#log-trace').value.trim(),
          limit: PAGE,
          cursor: append ? state.cursors.logs : undefined,
        }),
      );
      state.cursors.logs = body.nextCursor ?? null;
      const rows = body.logs.map(logRow);
      if (append) $('tbody', section).append(...rows);
      else fillBody($('table', section), rows, 'No logs match.');
      $('.more', section).hidden = !state.cursors.logs;
    });
  }

  // ---- SLOs -----------------------------------------------------------------------------------

  async function loadSlos() {
    const section = $('#slos');
    await guarded(section, async () => {
      const { slos } = await api('/api/slos');
      const rows = slos.map((s) =>
        el(
          'tr',
          { 'data-slo': s.name },
          el('td', { text: s.name }),
          el('td', { text: s.service ?? DASH }),
          el('td', { text: s.kind === 'latency' && isNumber(s.thresholdMs) ? `latency ≤ ${s.thresholdMs} ms` : s.kind }),
          el('td', { class: 'num', 'data-col': 'objective', text: `${percent(s.objective, 2)} / ${s.windowDays}d` }),
          el('td', { class: 'num', 'data-col': 'compliance', text: percent(s.compliance, 3) }),
          el('td', { class: 'num', 'data-col': 'budget', text: percent(s.errorBudgetRemaining, 1) }),
          el('td', {}, bar(s.errorBudgetRemaining, s.errorBudgetRemaining < 0.25 ? 'bad' : 'good')),
          ...['5m', '30m', '1h', '6h', '3d'].map((w) => el('td', { class: 'num', 'data-col': `burn-${w}`, text: burn(s.burnRates?.[w]) })),
          el('td', {}, el('span', { class: `badge status-${s.status}`, text: s.status })),
        ),
      );
      fillBody($('table', section), rows, 'No SLOs configured.');
    });
  }

  // ---- alerts ---------------------------------------------------------------------------------

  function alertRow(a) {
    const ack = a.acknowledgedAt
      ? el('span', { class: 'acked', text: `${time(a.acknowledgedAt)}${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}` })
      : a.state === 'firing'
        ? el('button', { type: 'button', class: 'ack', text: 'Acknowledge', onclick: (event) => acknowledge(a, event.currentTarget).catch(fatal) })
        : DASH;
    return el(
      'tr',
      { 'data-alert-id': a.id, 'data-state': a.state },
      el('td', { text: a.name }),
      el('td', { text: a.service ?? DASH }),
      el('td', {}, el('span', { class: `badge status-${a.severity}`, text: a.severity })),
      el('td', { 'data-col': 'state', text: a.state }),
      el('td', { text: time(a.firedAt) }),
      el('td', { text: time(a.resolvedAt) }),
      el('td', { 'data-col': 'acknowledged' }, ack),
    );
  }

  async function acknowledge(alert, button) {
    const section = $('#alerts');
    button.disabled = true;
    await guarded(section, async () => {
      const by = $('#ack-by').value.trim();
      const { alert: updated } = await api(`/api/alerts/${encodeURIComponent(alert.id)}/ack`, { method: 'POST', body: JSON.stringify(by ? { by } : {}) });
      const row = $(`tr[data-alert-id="${CSS.escape(alert.id)}"]`, section);
      row.replaceWith(alertRow(updated));
    });
    button.disabled = false;
  }

  async function loadAlerts(append = false) {
    const section = $('#alerts');
    await guarded(section, async () => {
      const body = await api(query('/api/alerts', { state: $('#alert-state').value, limit: PAGE, cursor: append ? state.cursors.alerts : undefined }));
      state.cursors.alerts = body.nextCursor ?? null;
      const rows = body.alerts.map(alertRow);
      if (append) $('tbody', section).append(...rows);
      else fillBody($('table', section), rows, 'No alerts.');
      $('.more', section).hidden = !state.cursors.alerts;
    });
  }

  // ---- loading --------------------------------------------------------------------------------

  function startLoading() {
    state.loading?.abort();
    state.loading = new AbortController();
    document.body.dataset.state = 'loading';
    return state.loading.signal;
  }

  // The summary first: it decides whether a token is needed and which services there are.
  async function load() {
    const signal = startLoading();
    try {
      state.summary = await api(query('/api/observe/summary', { window: state.window }));
    } catch (error) {
      if (error instanceof AuthRequired) return askForToken(state.token ? 'That token was not accepted.' : '');
      if (aborted(error)) return;
      throw error;
    }
    if (signal.aborted) return;
    $('#fatal')?.remove();
    $('#token').hidden = true;
    $('#main').hidden = false;
    $('#forget-token').hidden = !state.token;
    renderServices();
    renderSummarySections();
    await loadRest(signal);
  }

  async function loadRest(signal = startLoading()) {
    try {
      await Promise.all([
        guarded($('#health'), loadCharts),
        loadTraces(),
        loadLogs(),
        loadSlos(),
        loadAlerts(),
      ]);
    } catch (error) {
      if (error instanceof AuthRequired) return askForToken('The token is no longer accepted.');
      throw error;
    }
    if (signal.aborted) return;
    $('#updated').textContent = `updated ${time(Date.now())}`;
    document.body.dataset.state = 'ready';
  }

  function fatal(error) {
    if (aborted(error)) return;
    if (error instanceof AuthRequired) return askForToken('The token is no longer accepted.');
    document.body.dataset.state = 'failed';
    const banner = $('#fatal') ?? el('p', { id: 'fatal', class: 'error-text' });
    banner.textContent = `The dashboard failed: ${error?.message ?? error}`;
    document.body.prepend(banner);
  }

  $('#window').addEventListener('change', (event) => {
    state.window = event.target.value;
    load().catch(fatal);
  });
  $('#service').addEventListener('change', (event) => {
    state.service = event.target.value;
    renderSummarySections();
    loadRest().catch(fatal);
  });
  $('#refresh').addEventListener('click', () => load().catch(fatal));
  $('#trace-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    loadTraces().catch(fatal);
  });
  $('#traces .more').addEventListener('click', () => loadTraces(true).catch(fatal));
  $('#log-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    loadLogs().catch(fatal);
  });
  $('#logs .more').addEventListener('click', () => loadLogs(true).catch(fatal));
  $('#alert-state').addEventListener('change', () => loadAlerts().catch(fatal));
  $('#alerts .more').addEventListener('click', () => loadAlerts(true).catch(fatal));

  load().catch(fatal);
})();
