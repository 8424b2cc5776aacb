// GET /api/metrics/:name?service=&window=&step=&groupBy=&limit=&cursor=
//   -> { name, unit, type, window, step, series: [{ group, points: [{ t, value, count, sum,
//        min, max, p50, p95, p99 }] }], nextCursor }
// One metric over a window, from stored data (series.js: rollups plus raw points not rolled up
// yet), cut into steps. `groupBy` is a tag key (or 'service'): one series per value, `group` naming
// it ({ [groupBy]: value }, null for series without the tag); without it, one series of
// everything. `groupBy=error` splits requests by requests.js isErrorRequest ({ error: true } and
// { error: false }): the summary's and the SLOs' rule, which the dashboard's rate chart reads
// rather than restating it. Series are ordered by their group and paged (limit, cursor).
//
// Within one step and group, rows combine as the rollups do (rollup/fold.js mergeRows): counters
// add, histograms add counts and sums and merge their sketches exactly (p50/p95/p99 from the
// merge, histograms only); a gauge keeps each series' last value and the group's value is their
// sum (several isolates' or tags' levels together), min and max over all. Steps without data
// have no point. `t` is the step's start (ms); steps are aligned to the epoch (UTC).
//
// Bounds: at most MAX_POINTS steps per series (a bad `step` for the window is a 400 naming it);
// steps are whole minutes up to 24 h windows and whole hours beyond (the resolution the window is
// read at).
import { mergeRows } from '../rollup/fold.js';
import { quantile } from '../rollup/sketch.js';
import { MINUTE_WINDOW_MAX, badParam, decodeCursor, encodeCursor, parseLimit, parseName, parseWindow, queryParams, windowRange } from './params.js';
import { isErrorRequest } from './requests.js';
import { scanRows } from './series.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const STEPS = Object.freeze({ '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '1d': 24 * HOUR });
const DEFAULT_STEP = Object.freeze({ '5m': '1m', '15m': '1m', '1h': '1m', '6h': '5m', '24h': '15m', '7d': '1h', '30d': '6h' });
export const MAX_POINTS = 1440;

function parseStep(value, window, ms) {
  const step = value ?? DEFAULT_STEP[window];
  if (!Object.hasOwn(STEPS, step)) throw badParam('step', `${JSON.stringify(step)} is not one of ${Object.keys(STEPS).join(', ')}`);
  if (ms > MINUTE_WINDOW_MAX && STEPS[step] < HOUR) throw badParam('step', `a ${window} window is read from hourly rollups: use 1h or longer`);
  if (ms / STEPS[step] > MAX_POINTS) throw badParam('step', `${step} steps over ${window} are more than ${MAX_POINTS} points`);
  return step;
}

function groupOf(row, groupBy) {
  if (groupBy === undefined) return {};
  if (groupBy === 'service') return { service: row.service };
  let tags;
  try {
    tags = JSON.parse(row.series);
  } catch {
    tags = {};
  }
  if (groupBy === 'error') return { error: isErrorRequest(tags) };
  return { [groupBy]: tags[groupBy] ?? null };
}

function point(t, row) {
  const p = { t, value: row.value, count: row.count, sum: row.sum, min: row.min, max: row.max };
  if (row.type === 'histogram') {
    const has = row.exponential && row.exponential.count > 0;
    for (const [key, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]]) p[key] = has ? quantile(row.exponential, q) : null;
  }
  return p;
}

export async function metricSeries(request, { db, url, params }) {
  const q = queryParams(url, ['service', 'window', 'step', 'groupBy', 'limit', 'cursor']);
  const name = parseName(params.name, 'name');
  const service = parseName(q.service, 'service');
  const { window, ms } = parseWindow(q.window);
  const step = parseStep(q.step, window, ms);
  const groupBy = parseName(q.groupBy, 'groupBy');
  const limit = parseLimit(q.limit);
  const cursor = decodeCursor(q.cursor, ['string']);
  const { from, to } = windowRange(ms, Date.now());
  const stepMs = STEPS[step];

  // group key -> { group, steps: step start -> accumulator }. Counters and histograms merge
  // straight into the step (sums and exact sketch merges do not depend on order); a gauge keeps
  // each series' latest value in the step (the highest bucket; a later row of the same bucket
  // wins, as the rollup folds later points over earlier ones).
  const groups = new Map();
  let unmerged = 0;
  let type = null;
  let unit = null;
  let conflicts = 0;
  const visit = (row) => {
    type ??= row.type;
    unit ??= row.unit;
    if (row.type !== type) {
      conflicts += 1;
      return;
    }
    const group = groupOf(row, groupBy);
    const gKey = JSON.stringify(group);
    if (!groups.has(gKey)) groups.set(gKey, { group, steps: new Map() });
    const steps = groups.get(gKey).steps;
    const t = Math.floor(row.bucket / stepMs) * stepMs;
    if (type !== 'gauge') {
      try {
        steps.set(t, steps.has(t) ? mergeRows(steps.get(t), row) : row);
      } catch (e) {
        // Another type in the series, or a stored sketch that cannot merge: left out, logged once.
        if (unmerged++ === 0) console.warn(`edgescope collector: a row of ${row.name} left out of a metric series: ${e?.message ?? e}`);
      }
      return;
    }
    if (!steps.has(t)) steps.set(t, new Map());
    const bySeries = steps.get(t);
    const sKey = `${row.service}\u0000${row.series}`;
    const kept = bySeries.get(sKey);
    if (kept === undefined || row.bucket >= kept.bucket) {
      bySeries.set(sKey, { ...row, min: Math.min(row.min, kept?.min ?? row.min), max: Math.max(row.max, kept?.max ?? row.max) });
    } else {
      bySeries.set(sKey, { ...kept, min: Math.min(row.min, kept.min), max: Math.max(row.max, kept.max) });
    }
  };
  await scanRows(db, { names: [name], service, from, to, ms }, visit);
  if (conflicts > 0) console.warn(`edgescope collector: ${conflicts} rollup rows of ${name} left out of a query: not of its type ${type}`);

  const keys = [...groups.keys()].sort().filter((k) => cursor === null || k > cursor[0]);
  const pageKeys = keys.slice(0, limit);
  const series = pageKeys.map((gKey) => {
    const { group, steps } = groups.get(gKey);
    const points = [...steps.keys()].sort((a, b) => a - b).map((t) => {
      const acc = steps.get(t);
      if (type !== 'gauge') return point(t, acc);
      // A gauge's group value: the sum of its series' latest values (several isolates' levels).
      let value = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const row of acc.values()) {
        value += row.value;
        min = Math.min(min, row.min);
        max = Math.max(max, row.max);
      }
      return point(t, { type, value, count: null, sum: null, min, max });
    });
    return { group, points };
  });
  const nextCursor = keys.length > limit ? encodeCursor([pageKeys[pageKeys.length - 1]]) : null;
  return Response.json({ name, unit, type, window, step, series, nextCursor });
}
