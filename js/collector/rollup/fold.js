// Folding metric points (deltas: one point per series per sender flush) into rollup rows, one
// per (service, name, resolution, bucket, series) — the `rollups` table of migration 0002. The
// cron folds raw points into minute rows and minute rows into hour rows; queries fold the raw
// points the cron has not reached yet the same way, so an answer does not depend on whether the
// cron has run. Pure and Worker-safe.
//
// Per type: counters and up-down counters add their deltas (`value`); a gauge keeps the value of
// the point folded last and the min/max of all; a histogram adds count and sum, keeps min/max,
// merges exponential sketches exactly (sketch.js) and explicit buckets when the bounds agree (when
// they do not, the explicit buckets are dropped from the row — counts, sums and any sketch stay).
import { DEFAULT_MAX_BUCKETS, checkSketch, mergeSketch } from './sketch.js';

export const MINUTE = 60;
export const HOUR = 3600;

// A point whose type differs from its series' rollup row: not folded; foldPoints counts it.
export class RollupConflictError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RollupConflictError';
  }
}

// The tags as JSON with keys sorted: one text per series, whatever order a sender used.
export function seriesKey(tags) {
  const sorted = {};
  for (const key of Object.keys(tags ?? {}).sort()) sorted[key] = tags[key];
  return JSON.stringify(sorted);
}

export const bucketStart = (time, resolution) => Math.floor(time / (resolution * 1000)) * resolution * 1000;
export const rowKey = (row) => `${row.service}\u0000${row.name}\u0000${row.resolution}\u0000${row.bucket}\u0000${row.series}`;

const isHistogram = (type) => type === 'histogram';
const sameBounds = (a, b) => Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
const minOf = (a, b) => (a === null || a === undefined ? b : b === null || b === undefined ? a : Math.min(a, b));
const maxOf = (a, b) => (a === null || a === undefined ? b : b === null || b === undefined ? a : Math.max(a, b));

// A histogram point's sketch with its count, sum, min and max (the native decoder keeps those on
// the point), so a rollup's sketch is whole on its own; null when the point has none.
export function sketchOf(point) {
  if (!point.exponential) return null;
  const { count, sum, min, max } = point;
  return { ...point.exponential, count: point.exponential.count ?? count, sum: point.exponential.sum ?? sum, min: point.exponential.min ?? min, max: point.exponential.max ?? max };
}

// One point as a rollup row of its own.
export function rowFromPoint(point, resolution) {
  const tags = point.tags ?? {};
  const histogram = isHistogram(point.type);
  const route = tags['http.route'];
  return {
    service: point.service,
    name: point.name,
    resolution,
    bucket: bucketStart(point.time, resolution),
    series: seriesKey(tags),
    route: typeof route === 'string' ? route : null,
    type: point.type,
    unit: point.unit ?? null,
    value: point.value,
    count: histogram ? (point.count ?? null) : null,
    sum: histogram ? (point.sum ?? point.value ?? null) : null,
    // A gauge's min and max are its values; a counter has neither.
    min: histogram ? (point.min ?? null) : point.type === 'gauge' ? point.value : null,
    max: histogram ? (point.max ?? null) : point.type === 'gauge' ? point.value : null,
    exponential: histogram ? sketchOf(point) : null,
    bounds: histogram && Array.isArray(point.bounds) && point.bounds.length > 0 ? point.bounds : null,
    bucketCounts: histogram && Array.isArray(point.bucketCounts) && point.bucketCounts.length > 0 ? point.bucketCounts : null,
    points: 1,
  };
}

// Two rows of one series and window combined (`later` folded after `earlier`); a new object.
export function mergeRows(earlier, later, maxBuckets = DEFAULT_MAX_BUCKETS) {
  if (earlier.type !== later.type) {
    throw new RollupConflictError(`${later.service}/${later.name} ${later.series}: a ${later.type} point for a ${earlier.type} series`);
  }
  const out = { ...earlier, unit: earlier.unit ?? later.unit, points: earlier.points + later.points };
  if (earlier.type === 'gauge') {
    out.value = later.value;
    out.min = minOf(earlier.min, later.min);
    out.max = maxOf(earlier.max, later.max);
    return out;
  }
  out.value = earlier.value + later.value;
  if (!isHistogram(earlier.type)) return out;
  out.count = (earlier.count ?? 0) + (later.count ?? 0);
  out.sum = (earlier.sum ?? 0) + (later.sum ?? 0);
  out.min = minOf(earlier.min, later.min);
  out.max = maxOf(earlier.max, later.max);
  out.exponential = earlier.exponential || later.exponential ? mergeSketch(earlier.exponential, later.exponential, maxBuckets) : null;
  if (earlier.bounds === null && earlier.bucketCounts === null && earlier.points === 0) {
    out.bounds = later.bounds;
    out.bucketCounts = later.bucketCounts;
  } else if (sameBounds(earlier.bounds, later.bounds) && earlier.bucketCounts?.length === later.bucketCounts?.length) {
    out.bucketCounts = earlier.bucketCounts.map((n, i) => n + later.bucketCounts[i]);
  } else {
    out.bounds = null;
    out.bucketCounts = null;
  }
  return out;
}

// `point` folded into `row` (null: the point's own new row) at `resolution`.
export function foldPoint(row, point, resolution = MINUTE) {
  const own = rowFromPoint(point, resolution);
  return row ? mergeRows(row, own) : own;
}

// At most this many distinct reasons are kept for the log line; the count covers them all.
export const MAX_SKIP_REASONS = 5;

// Many points (in the order they were stored) into rows by key, starting from `existing` rows
// (a Map by rowKey, not modified). -> { rows: Map, skipped, reasons }: a point that cannot be
// folded — any error, not only a type conflict (a sketch outside the data model: SketchError;
// anything a row written by something other than the decoders holds) — is left out and counted,
// so one bad point never stops the cron or a query; `reasons` keeps the first MAX_SKIP_REASONS
// distinct messages (with the point's id when it has one) for the caller's log line.
export function foldPoints(points, resolution = MINUTE, existing = new Map()) {
  const rows = new Map(existing);
  let skipped = 0;
  const reasons = [];
  for (const point of points) {
    try {
      const own = rowFromPoint(point, resolution);
      if (own.exponential) checkSketch(own.exponential);
      const key = rowKey(own);
      const row = rows.get(key);
      rows.set(key, row ? mergeRows(row, own) : own);
    } catch (e) {
      skipped += 1;
      const reason = `${point?.id !== undefined ? `point ${point.id} ` : ''}${point?.service}/${point?.name}: ${e?.message ?? e}`;
      if (reasons.length < MAX_SKIP_REASONS) reasons.push(reason);
    }
  }
  return { rows, skipped, reasons };
}

// A row re-keyed to a coarser window (minute rows into an hour): fold the results with mergeRows.
export function reWindow(row, resolution) {
  return { ...row, resolution, bucket: bucketStart(row.bucket, resolution) };
}

const parse = (text) => (text === null || text === undefined ? null : typeof text === 'string' ? JSON.parse(text) : text);
const text = (value) => (value === null || value === undefined ? null : JSON.stringify(value));

// A `metric_points` row (snake_case, JSON columns as text) as a point foldPoint takes.
export function pointFromDb(r) {
  return {
    id: r.id,
    service: r.service,
    name: r.name,
    type: r.type,
    unit: r.unit ?? null,
    value: r.value,
    time: r.time,
    tags: parse(r.tags) ?? {},
    count: r.count ?? null,
    sum: r.sum ?? null,
    min: r.min ?? null,
    max: r.max ?? null,
    bounds: parse(r.bounds),
    bucketCounts: parse(r.bucket_counts),
    exponential: parse(r.exponential),
  };
}

// A `rollups` row from D1 as a rollup row object, and back.
export function rowFromDb(r) {
  return {
    service: r.service,
    name: r.name,
    resolution: r.resolution,
    bucket: r.bucket,
    series: r.series,
    route: r.route ?? null,
    type: r.type,
    unit: r.unit ?? null,
    value: r.value,
    count: r.count ?? null,
    sum: r.sum ?? null,
    min: r.min ?? null,
    max: r.max ?? null,
    exponential: parse(r.exponential),
    bounds: parse(r.bounds),
    bucketCounts: parse(r.bucket_counts),
    points: r.points,
  };
}

export const ROLLUP_COLUMNS = ['service', 'name', 'resolution', 'bucket', 'series', 'route', 'type', 'unit', 'value', 'count', 'sum', 'min', 'max', 'exponential', 'bounds', 'bucket_counts', 'points'];

// The row's values in ROLLUP_COLUMNS order, for an INSERT OR REPLACE.
export function rowToDb(row) {
  return [row.service, row.name, row.resolution, row.bucket, row.series, row.route, row.type, row.unit, row.value, row.count, row.sum, row.min, row.max, text(row.exponential), text(row.bounds), text(row.bucketCounts), row.points];
}
