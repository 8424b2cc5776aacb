// GET /api/observe/summary?service=&window=
//   -> { window, from, to, services: [{ service, requests, errors, errorRate, p50, p95, p99,
//        routes: [{ route, requests, errors, errorRate, p50, p95, p99 }],
//        cacheTiers: [{ tier, lookups, hits, hitRatio, bytes }],
//        errorsBySeverity: { CRITICAL, WARNING, INFO }, topErrors: [...10], slos: [/api/slos rows] }] }
// Everything from stored data (rollups plus the raw points the cron has not reached: series.js),
// never from one isolate's memory:
//   requests, errors, percentiles: http.server.request.duration (seconds; OpenTelemetry HTTP
//     semantic conventions). A request is an error by requests.js isErrorRequest (status >= 500,
//     or a non-empty error.type: it threw). Percentiles come from the exact merge of the
//     stored exponential sketches (rollup/sketch.js), the core's own estimator; null without data.
//   cacheTiers: the edgescope.cache.lookups / hits / bytes counters by `cache.tier`.
//   errorsBySeverity, topErrors: error_minutes (filled at ingest) within the window, joined with
//     errors for the fingerprint's description; the 10 most frequent per service.
//   slos: the service's rows of GET /api/slos (slo/status.js sloStatus, the same computation the
//     cron's alerts decide from), in configuration order.
// Ratios are null when their denominator is 0 (no requests, no lookups): "no data", not 0 %.
import { quantile, mergeSketch } from '../rollup/sketch.js';
import { parseName, parseWindow, queryParams, windowRange } from './params.js';
import { REQUEST_METRIC, isErrorRequest } from './requests.js';
import { scanRows } from './series.js';
import { sloStatus } from '../slo/status.js';

const CACHE = { 'edgescope.cache.lookups': 'lookups', 'edgescope.cache.hits': 'hits', 'edgescope.cache.bytes': 'bytes' };
const SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'];
export const TOP_ERRORS = 10;
// Bounds on the error statements: services times severities, and services times TOP_ERRORS.
const MAX_SERVICES = 1000;

const ratio = (part, whole) => (whole > 0 ? part / whole : null);

function tagsOf(row) {
  try {
    return JSON.parse(row.series);
  } catch {
    return {};
  }
}

// Request numbers of a set of duration rows, with the merged sketch's percentiles (seconds).
class RequestStats {
  requests = 0;
  errors = 0;
  sketch = null;
  unmerged = 0;

  add(row, error) {
    const n = row.count ?? 0;
    this.requests += n;
    if (error) this.errors += n;
    if (!row.exponential) return;
    try {
      this.sketch = mergeSketch(this.sketch, row.exponential);
    } catch (e) {
      // A stored sketch that cannot merge (SketchError: a row written before ingest checked
      // sketches): its requests still count; its values are left out of the percentiles.
      this.unmerged += 1;
      if (this.unmerged === 1) console.warn(`edgescope collector: a stored sketch left out of the percentiles: ${e?.message ?? e}`);
    }
  }

  toJSON() {
    const has = this.sketch !== null && this.sketch.count > 0;
    const q = (p) => (has ? quantile(this.sketch, p) : null);
    return { requests: this.requests, errors: this.errors, errorRate: ratio(this.errors, this.requests), p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }
}

function serviceEntry(map, service) {
  if (!map.has(service)) {
    map.set(service, { total: new RequestStats(), routes: new Map(), tiers: new Map(), severity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])), topErrors: [], slos: [] });
  }
  return map.get(service);
}

async function errorRows(db, { service, from, end }) {
  const bySvc = service === undefined ? '' : ' AND service = ?';
  const svc = service === undefined ? [] : [service];
  const [severity, top] = await db.batch([
    db
      .prepare(`SELECT service, nullif(severity, '') AS severity, sum(count) AS n FROM error_minutes WHERE bucket >= ? AND bucket < ?${bySvc} GROUP BY service, severity LIMIT ?`)
      .bind(from, end, ...svc, MAX_SERVICES * (SEVERITIES.length + 1)),
    // The window's counts per fingerprint, ranked within each service (SQLite window functions).
    db
      .prepare(
        'SELECT service, fingerprint, n, severity, category, type, message, route, last_seen FROM (' +
          'SELECT m.service, m.fingerprint, sum(m.count) AS n, e.severity, e.category, e.type, e.message, e.route, e.last_seen, ' +
          'row_number() OVER (PARTITION BY m.service ORDER BY sum(m.count) DESC, m.fingerprint) AS rank ' +
          `FROM error_minutes m LEFT JOIN errors e ON e.service = m.service AND e.fingerprint = m.fingerprint WHERE m.bucket >= ? AND m.bucket < ?${service === undefined ? '' : ' AND m.service = ?'} ` +
          `GROUP BY m.service, m.fingerprint) WHERE rank <= ${TOP_ERRORS} ORDER BY service, n DESC, fingerprint LIMIT ?`,
      )
      .bind(from, end, ...svc, MAX_SERVICES * TOP_ERRORS),
  ]);
  return { severity: severity.results, top: top.results };
}

export async function summary(request, { db, url, settings }) {
  const q = queryParams(url, ['service', 'window']);
  const service = parseName(q.service, 'service');
  const { window, ms } = parseWindow(q.window);
  const { from, to } = windowRange(ms, Date.now());
  const end = Math.floor(to / 60_000) * 60_000 + 60_000;

  const services = new Map();
  // Every row folds straight into its service's totals: sums, and exact sketch merges, whose
  // result does not depend on the order rows come in (rollup/sketch.js).
  const visit = (row) => {
    const entry = serviceEntry(services, row.service);
    const tags = tagsOf(row);
    if (row.name === REQUEST_METRIC) {
      if (row.type !== 'histogram') return;
      const error = isErrorRequest(tags);
      entry.total.add(row, error);
      if (!entry.routes.has(row.route)) entry.routes.set(row.route, new RequestStats());
      entry.routes.get(row.route).add(row, error);
    } else {
      const tier = tags['cache.tier'] ?? null;
      if (!entry.tiers.has(tier)) entry.tiers.set(tier, { lookups: 0, hits: 0, bytes: 0 });
      entry.tiers.get(tier)[CACHE[row.name]] += row.value ?? 0;
    }
  };
  // The SLO rows are /api/slos's own (slo/status.js), at this summary's `to`: each SLO keeps its
  // own windows (burn windows, windowDays), whatever the summary's window.
  const slos = settings.slos.filter((slo) => service === undefined || slo.service === service);
  const [, errors, sloRows] = await Promise.all([
    scanRows(db, { names: [REQUEST_METRIC, ...Object.keys(CACHE)], service, from, to, ms }, visit),
    errorRows(db, { service, from, end }),
    sloStatus(db, { ...settings, slos }, to),
  ]);
  // A service with an SLO is listed even without data in the window: its SLO still stands.
  for (const row of sloRows) serviceEntry(services, row.service).slos.push(row);
  for (const r of errors.severity) {
    const entry = serviceEntry(services, r.service);
    const key = r.severity ?? 'unclassified';
    entry.severity[key] = (entry.severity[key] ?? 0) + r.n;
  }
  for (const r of errors.top) {
    serviceEntry(services, r.service).topErrors.push({
      fingerprint: r.fingerprint,
      severity: r.severity,
      category: r.category,
      type: r.type,
      message: r.message,
      route: r.route,
      count: r.n,
      lastSeen: r.last_seen,
    });
  }

  const byRequests = (a, b) => b.requests - a.requests || String(a.route).localeCompare(String(b.route));
  const out = [...services.keys()].sort().map((name) => {
    const e = services.get(name);
    return {
      service: name,
      ...e.total.toJSON(),
      routes: [...e.routes].map(([route, stats]) => ({ route, ...stats.toJSON() })).sort(byRequests),
      cacheTiers: [...e.tiers]
        .map(([tier, t]) => ({ tier, lookups: t.lookups, hits: t.hits, hitRatio: ratio(t.hits, t.lookups), bytes: t.bytes }))
        .sort((a, b) => b.lookups - a.lookups || String(a.tier).localeCompare(String(b.tier))),
      errorsBySeverity: e.severity,
      topErrors: e.topErrors,
      slos: e.slos,
    };
  });
  return Response.json({ window, from, to, services: out });
}
