// Assertions over what a capture collector received, for the checks a Worker's telemetry tests
// make: a span by name (and parent, attributes, status), a metric series' value, a log line by
// level, and "nothing was lost" from telemetry.stats(). Each failure is an AssertionError whose
// message lists what did arrive (span names under their parents, metric series with their values,
// log levels and messages, rejected payloads), so a failing test says why without a debugger.
//
// expect*(collector, matcher) checks what is there now and returns the match; waitFor*(collector,
// matcher, { timeoutMs }) waits for it through collector.waitFor (exports arrive after the
// response, from the request's waitUntil) and fails with the same message when time runs out.
//
// Matching: a string or number is compared exactly (deep equality for arrays, bigint and bytes),
// a RegExp is tested against a string value, a function is a predicate on the value.
import { AssertionError } from 'node:assert';
import { inspect, isDeepStrictEqual } from 'node:util';
import { DROP_STATS } from '../core/tables.js';

const SHOWN = 20; // entries listed per section of a failure message

// ---- spans ----

const SPAN_FIELDS = ['name', 'parent', 'attributes', 'status', 'kind', 'service', 'traceId'];

export function expectSpan(collector, matcher) {
  checkSpanArguments(collector, matcher, 'expectSpan');
  return findSpan(collector, matcher, 'expectSpan');
}

export function waitForSpan(collector, matcher, options) {
  checkSpanArguments(collector, matcher, 'waitForSpan');
  return waitUntilFound(collector, options, 'waitForSpan', (label) => findSpan(collector, matcher, label));
}

function checkSpanArguments(collector, matcher, helper) {
  checkCollector(collector, helper);
  checkMatcher(matcher, helper, SPAN_FIELDS);
  const { parent } = matcher;
  const isSpan = typeof parent === 'object' && parent !== null && !(parent instanceof RegExp) && typeof parent.spanId === 'string';
  if (!(parent === undefined || parent === null || typeof parent === 'string' || typeof parent === 'function' || parent instanceof RegExp || isSpan)) {
    throw new TypeError(`${helper}: parent must be null (a root span), the parent's name (a string, RegExp or predicate) or a captured span, got ${show(parent)}`);
  }
}

function findSpan(collector, matcher, label) {
  const found = collector.spans.find((span) => spanMismatch(collector, span, matcher) === null);
  if (found) return found;
  fail(label, `no span matched ${show(matcher)}`, [nearSpans(collector, matcher), arrivedSpans(collector), arrivals(collector)]);
}

// null when `span` satisfies the matcher, else every reason it does not (for the near-miss list).
function spanMismatch(collector, span, m) {
  const reasons = [];
  if (m.name !== undefined && !matches(span.name, m.name)) reasons.push(`name is ${show(span.name)}`);
  for (const key of ['status', 'kind', 'service', 'traceId']) {
    if (m[key] !== undefined && !matches(span[key], m[key])) reasons.push(`${key} is ${show(span[key])}, expected ${show(m[key])}`);
  }
  if (m.parent !== undefined) reasons.push(parentMismatch(collector, span, m.parent));
  reasons.push(...attributesMismatch(span.attributes, m.attributes, 'attribute'));
  return because(reasons);
}

// parent: null (a root span), a name (string or RegExp: the parent that arrived has it), or a
// captured span (the parent is that very span).
function parentMismatch(collector, span, expected) {
  if (expected === null) return span.parentSpanId === null ? null : `parent is ${parentLabel(collector, span)}, expected a root span`;
  if (span.parentSpanId === null) return `it is a root span, expected parent ${showParent(expected)}`;
  if (typeof expected === 'object' && !(expected instanceof RegExp)) {
    return span.parentSpanId === expected.spanId && span.traceId === expected.traceId ? null : `parent is ${parentLabel(collector, span)}, expected ${showParent(expected)}`;
  }
  const parent = parentOf(collector, span);
  if (!parent) return `its parent ${span.parentSpanId} did not arrive, expected ${showParent(expected)}`;
  return matches(parent.name, expected) ? null : `parent is ${show(parent.name)}, expected ${showParent(expected)}`;
}

function parentOf(collector, span) {
  return span.parentSpanId === null ? null : collector.spans.find((s) => s.spanId === span.parentSpanId && s.traceId === span.traceId) ?? null;
}

function parentLabel(collector, span) {
  if (span.parentSpanId === null) return 'none (root)';
  const parent = parentOf(collector, span);
  return parent ? show(parent.name) : `${span.parentSpanId} (not arrived)`;
}

function showParent(expected) {
  return typeof expected === 'object' && expected !== null && !(expected instanceof RegExp) ? `${show(expected.name)} (span ${expected.spanId})` : show(expected);
}

function nearSpans(collector, m) {
  if (m.name === undefined) return null;
  const near = collector.spans.filter((span) => matches(span.name, m.name));
  if (near.length === 0) return null;
  return section(
    `${near.length} span(s) named ${show(m.name)} did not match`,
    near.map((span) => `${show(span.name)} in trace ${span.traceId.slice(0, 8)}…: ${spanMismatch(collector, span, m)}`),
  );
}

function arrivedSpans(collector) {
  const groups = countBy(collector.spans, (span) => `${show(span.name)} ${span.parentSpanId === null ? '(root)' : `under ${parentLabel(collector, span)}`}`);
  return section(`${collector.spans.length} span(s) arrived`, groups);
}

// ---- metrics ----

// A series is one name, type and tag set. `tags` selects by the tags given (a series may have
// more); when several series qualify, the one with exactly those tags is taken, else it is an
// error naming them. Its value over every point that arrived: the sum of the deltas for a counter
// or up-down counter, the sum of the sums for a histogram (`count`: of the counts), the latest
// value for a gauge.
const METRIC_FIELDS = ['name', 'tags', 'value', 'count', 'type', 'service'];

export function expectMetric(collector, matcher) {
  checkCollector(collector, 'expectMetric');
  checkMatcher(matcher, 'expectMetric', METRIC_FIELDS, ['name']);
  return findMetric(collector, matcher, 'expectMetric');
}

export function waitForMetric(collector, matcher, options) {
  checkCollector(collector, 'waitForMetric');
  checkMatcher(matcher, 'waitForMetric', METRIC_FIELDS, ['name']);
  return waitUntilFound(collector, options, 'waitForMetric', (label) => findMetric(collector, matcher, label));
}

function findMetric(collector, matcher, label) {
  const series = seriesOf(collector.metrics.filter((point) => matches(point.name, matcher.name) && (matcher.type === undefined || matches(point.type, matcher.type)) && (matcher.service === undefined || matches(point.service, matcher.service))));
  const selected = series.filter((s) => attributesMismatch(s.tags, matcher.tags, 'tag').length === 0);
  const exact = matcher.tags && selected.length > 1 ? selected.filter((s) => sameKeys(s.tags, matcher.tags)) : selected;
  if (exact.length > 1) {
    fail(label, `${show(matcher.name)} ${matcher.tags ? `with tags ${show(matcher.tags)} ` : ''}matches ${exact.length} series; add tags to pick one`, [
      section('matching series', exact.map(describeSeries)),
      arrivals(collector),
    ]);
  }
  const found = exact[0];
  if (!found) {
    fail(label, `no metric series matched ${show(matcher)}`, [
      series.length > 0 ? section(`series named ${show(matcher.name)} with other tags`, series.map(describeSeries)) : null,
      arrivedSeries(collector),
      arrivals(collector),
    ]);
  }
  for (const key of ['value', 'count']) {
    if (matcher[key] !== undefined && !matches(found[key], matcher[key])) {
      fail(label, `${describeSeries(found)}: ${key} is ${show(found[key])}, expected ${show(matcher[key])}`, [arrivedSeries(collector), arrivals(collector)]);
    }
  }
  return found;
}

function seriesOf(points) {
  const byKey = new Map();
  for (const point of points) {
    const key = `${point.service}\u0000${point.name}\u0000${point.type}\u0000${point.unit}\u0000${inspect(sortKeys(point.tags), { depth: Infinity })}`;
    if (!byKey.has(key)) byKey.set(key, { name: point.name, type: point.type, unit: point.unit, tags: point.tags, service: point.service, points: [] });
    byKey.get(key).points.push(point);
  }
  return [...byKey.values()].map((s) => {
    if (s.type === 'gauge') {
      const latest = s.points.reduce((a, b) => (b.time >= a.time ? b : a));
      return { ...s, value: latest.value };
    }
    const value = s.points.reduce((sum, p) => sum + p.value, 0);
    return s.type === 'histogram' ? { ...s, value, count: s.points.reduce((sum, p) => sum + (p.count ?? 0), 0) } : { ...s, value };
  });
}

function describeSeries(s) {
  const tags = Object.entries(s.tags).map(([k, v]) => `${k}=${show(v)}`).join(', ');
  const count = s.count !== undefined ? `, count ${s.count}` : '';
  return `${s.name}{${tags}} ${s.type} = ${show(s.value)}${count} (${s.points.length} point(s))`;
}

function arrivedSeries(collector) {
  const series = seriesOf(collector.metrics);
  return section(`${collector.metrics.length} metric point(s) arrived, ${series.length} series`, series.map(describeSeries));
}

// ---- logs ----

const LOG_FIELDS = ['level', 'message', 'attributes', 'service', 'traceId', 'spanId'];

export function expectLog(collector, matcher) {
  checkCollector(collector, 'expectLog');
  checkMatcher(matcher, 'expectLog', LOG_FIELDS, ['level']);
  return findLog(collector, matcher, 'expectLog');
}

export function waitForLog(collector, matcher, options) {
  checkCollector(collector, 'waitForLog');
  checkMatcher(matcher, 'waitForLog', LOG_FIELDS, ['level']);
  return waitUntilFound(collector, options, 'waitForLog', (label) => findLog(collector, matcher, label));
}

function findLog(collector, matcher, label) {
  const found = collector.logs.find((log) => logMismatch(log, matcher) === null);
  if (found) return found;
  const sameLevel = collector.logs.filter((log) => matches(log.level, matcher.level));
  fail(label, `no log matched ${show(matcher)}`, [
    sameLevel.length > 0 && (matcher.message !== undefined || matcher.attributes !== undefined)
      ? section(`${sameLevel.length} ${show(matcher.level)} log(s) did not match`, sameLevel.map((log) => `${show(log.message)}: ${logMismatch(log, matcher)}`))
      : null,
    arrivedLogs(collector),
    arrivals(collector),
  ]);
}

function logMismatch(log, m) {
  const reasons = [];
  for (const key of ['level', 'message', 'service', 'traceId', 'spanId']) {
    if (m[key] !== undefined && !matches(log[key], m[key])) reasons.push(`${key} is ${show(log[key])}, expected ${show(m[key])}`);
  }
  reasons.push(...attributesMismatch(log.attributes, m.attributes, 'attribute'));
  return because(reasons);
}

function arrivedLogs(collector) {
  const levels = countBy(collector.logs, (log) => log.level);
  return section(`${collector.logs.length} log(s) arrived${levels.length ? ` (${levels.join(', ')})` : ''}`, collector.logs.map((log) => `${log.level} ${show(log.message)}`));
}

// ---- stats ----

// The counters of telemetry.stats() that mean a record (or a metric value) never reached a
// collector: the totals, the core's refusals (DROP_STATS), what the offline buffer threw away,
// and edgescope's own failures. `buffered` is not among them: those records are still on their way.
// `unwritten`: payloads the store failed to write (a KV put() refused), lost like the others.
const BUFFER_LOSSES = ['evicted', 'refused', 'refusedRecords', 'rejectedRecords', 'expired', 'exhausted', 'corrupt', 'unknownExporter', 'unwritten'];

export function expectNothingDropped(stats, { allow = [] } = {}) {
  if (stats === null || typeof stats !== 'object' || typeof stats.exported !== 'number' || typeof stats.core !== 'object') {
    throw new TypeError(`expectNothingDropped(stats): expected the object telemetry.stats() returns (e.g. a Worker route's Response.json(stats), parsed), got ${show(stats)}`);
  }
  if (!Array.isArray(allow) || allow.some((name) => typeof name !== 'string')) throw new TypeError('expectNothingDropped(stats, { allow }): expected an array of counter names, e.g. ["rejected", "core.valuesTruncated"]');
  const counters = [
    ...['failed', 'dropped', 'rejected'].map((name) => [name, stats[name]]),
    ...DROP_STATS.map((name) => [`core.${name}`, stats.core?.[name]]),
    ...(stats.buffer ? BUFFER_LOSSES.map((name) => [`buffer.${name}`, stats.buffer[name]]) : []),
    ...Object.entries(stats.internalFailures ?? {}).map(([name, value]) => [`internalFailures.${name}`, value]),
  ];
  const lost = counters.filter(([name, value]) => typeof value === 'number' && value > 0 && !allow.includes(name));
  if (lost.length === 0) return stats;
  fail('expectNothingDropped', `telemetry was lost: ${lost.map(([name, value]) => `${name} = ${value}`).join(', ')}`, [
    `counted: exported ${stats.exported}, buffered ${stats.buffered ?? 0}, payloadsSent ${stats.payloadsSent ?? 0}, payloadsFailed ${stats.payloadsFailed ?? 0}, flushes ${stats.flushes ?? 0}`,
    section(
      'per exporter',
      (stats.exporters ?? []).map((e) => {
        const causes = Object.entries(e.failedByCause ?? {}).filter(([, n]) => n > 0);
        const byCause = causes.length ? ` (not delivered, by cause: ${causes.map(([c, n]) => `${c} ${n}`).join(', ')})` : '';
        return `${e.name} ${e.endpoint}: exported ${e.exported}, failed ${e.failed}, rejected ${e.rejected}, dropped ${e.dropped}${byCause}${e.lastError ? `; last error: ${e.lastError}` : ''}`;
      }),
    ),
    stats.lastError && !(stats.exporters ?? []).some((e) => e.lastError) ? `last error: ${stats.lastError}` : null,
  ]);
}

// ---- shared ----

function matches(actual, expected) {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual);
  if (typeof expected === 'function') return Boolean(expected(actual));
  return isDeepStrictEqual(actual, expected);
}

// Why `actual` lacks an expected attribute (or tag), one reason per key; none when it has them all.
function attributesMismatch(actual, expected, what) {
  if (expected === undefined) return [];
  const reasons = [];
  for (const [key, want] of Object.entries(expected)) {
    if (!Object.hasOwn(actual ?? {}, key)) reasons.push(`${what} ${show(key)} is missing (has ${Object.keys(actual ?? {}).map(show).join(', ') || 'none'})`);
    else if (!matches(actual[key], want)) reasons.push(`${what} ${show(key)} is ${show(actual[key])}, expected ${show(want)}`);
  }
  return reasons;
}

function because(reasons) {
  const real = reasons.filter(Boolean);
  return real.length === 0 ? null : real.join('; ');
}

function sameKeys(a, b) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k));
}

function sortKeys(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function countBy(items, keyOf) {
  const counts = new Map();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return [...counts].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key));
}

function section(title, lines) {
  if (lines.length === 0) return title;
  const shown = lines.slice(0, SHOWN).map((line) => `  - ${line}`);
  if (lines.length > SHOWN) shown.push(`  … and ${lines.length - SHOWN} more`);
  return `${title}:\n${shown.join('\n')}`;
}

// The collector's totals and any payloads it refused: a refused payload is the usual reason a
// record is missing.
function arrivals(collector) {
  const rejected = collector.rejected ?? [];
  const summary = typeof collector.summary === 'function' ? collector.summary() : `${collector.spans.length} spans, ${collector.metrics.length} metrics, ${collector.logs.length} logs`;
  return section(`collector: ${summary}`, rejected.map((r) => `rejected ${r.path}: HTTP ${r.status} ${r.reason}`));
}

function show(value) {
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return value.name ? `a value passing ${value.name}()` : 'a value passing the predicate';
  return inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
}

function fail(label, headline, sections) {
  const message = [`${label}: ${headline}`, ...sections.filter(Boolean)].join('\n');
  throw new AssertionError({ message, stackStartFn: fail });
}

function checkCollector(collector, helper) {
  if (!collector || !Array.isArray(collector.spans) || !Array.isArray(collector.metrics) || !Array.isArray(collector.logs)) {
    throw new TypeError(`${helper}(collector): expected the collector startCollector() returns, got ${show(collector)}`);
  }
}

// A matcher names only known fields (a typo would otherwise match everything), and the required ones.
function checkMatcher(matcher, helper, known, required = []) {
  if (matcher === null || typeof matcher !== 'object' || Array.isArray(matcher)) throw new TypeError(`${helper}(collector, matcher): expected an object like { ${known[0]}: ... }, got ${show(matcher)}`);
  const unknown = Object.keys(matcher).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new TypeError(`${helper}: unknown matcher field(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  for (const key of required) if (matcher[key] === undefined) throw new TypeError(`${helper}: the matcher needs ${key}`);
  if (Object.keys(matcher).every((key) => matcher[key] === undefined)) throw new TypeError(`${helper}: the matcher is empty; give at least ${known[0]}`);
  for (const key of ['attributes', 'tags']) {
    if (matcher[key] !== undefined && (matcher[key] === null || typeof matcher[key] !== 'object' || Array.isArray(matcher[key]))) {
      throw new TypeError(`${helper}: ${key} must be an object of expected values, got ${show(matcher[key])}`);
    }
  }
}

// Waits (collector.waitFor: re-checked as each payload arrives) until `find` passes; when time
// runs out, the failure is find's own message, saying how long it waited. The predicate never
// throws: it runs inside the collector's request handler, where a throw would take the process down.
async function waitUntilFound(collector, options = {}, helper, find) {
  const { timeoutMs = 5000 } = options ?? {};
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new TypeError(`${helper}: timeoutMs must be a non-negative number of milliseconds, got ${show(timeoutMs)}`);
  const settled = () => {
    try {
      find(helper);
      return true;
    } catch (error) {
      return !(error instanceof AssertionError); // anything else ends the wait and is rethrown below
    }
  };
  try {
    await collector.waitFor(settled, { timeoutMs });
  } catch {
    // Timed out: find() below gives the message.
  }
  return find(`${helper} (after ${timeoutMs} ms)`);
}
