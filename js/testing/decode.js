// Decoders for both wire formats into one normalised record shape, strict enough to catch an
// encoder bug: a payload that is not what the format promises is rejected with a message naming
// the path of the bad field.
export class DecodeError extends Error {
  constructor(path, expected) {
    super(`${path}: expected ${expected}`);
    this.name = 'DecodeError';
  }
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];
const LEVELS = { 5: 'debug', 9: 'info', 13: 'warn', 17: 'error', 21: 'fatal' };

function need(cond, path, expected) {
  if (!cond) throw new DecodeError(path, expected);
}
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isHex = (v, n) => typeof v === 'string' && v.length === n && /^[0-9a-f]+$/.test(v);

export function decodeNative(doc) {
  need(isObject(doc), '$', 'an object');
  need(typeof doc.service === 'string' && doc.service !== '', '$.service', 'a non-empty string');
  const out = { spans: [], metrics: [], logs: [] };
  for (const key of ['spans', 'metrics', 'logs']) {
    if (doc[key] === undefined) continue;
    need(Array.isArray(doc[key]) && doc[key].length > 0, `$.${key}`, 'a non-empty array when present');
  }
  (doc.spans ?? []).forEach((s, i) => {
    const p = `$.spans[${i}]`;
    need(isObject(s), p, 'an object');
    need(isHex(s.traceId, 32), `${p}.traceId`, '32 hex digits');
    need(isHex(s.spanId, 16), `${p}.spanId`, '16 hex digits');
    need(s.parentSpanId === undefined || isHex(s.parentSpanId, 16), `${p}.parentSpanId`, '16 hex digits');
    need(typeof s.operationName === 'string', `${p}.operationName`, 'a string');
    need(typeof s.startTime === 'number' && typeof s.endTime === 'number', `${p}.startTime/endTime`, 'numbers');
    need(s.duration === s.endTime - s.startTime, `${p}.duration`, 'endTime - startTime');
    need(STATUS.includes(s.status), `${p}.status`, 'ok, error or unset');
    need(isObject(s.attributes) && Array.isArray(s.events), `${p}.attributes/events`, 'an object and an array');
    out.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? null,
      name: s.operationName,
      service: s.service,
      kind: s.kind,
      startTime: s.startTime,
      endTime: s.endTime,
      status: s.status,
      statusMessage: s.statusMessage ?? '',
      attributes: s.attributes,
      events: s.events.map((e) => ({ name: e.name, time: e.timestamp, attributes: e.attributes })),
    });
  });
  (doc.metrics ?? []).forEach((m, i) => {
    const p = `$.metrics[${i}]`;
    need(isObject(m) && typeof m.name === 'string', `${p}.name`, 'a string');
    need(['counter', 'gauge', 'histogram'].includes(m.type), `${p}.type`, 'counter, gauge or histogram');
    need(typeof m.value === 'number' && typeof m.timestamp === 'number', `${p}.value/timestamp`, 'numbers');
    need(isObject(m.tags), `${p}.tags`, 'an object');
    const type = m.type === 'counter' && m.monotonic === false ? 'updowncounter' : m.type;
    const metric = { name: m.name, type, value: m.value, unit: m.unit, time: m.timestamp, tags: m.tags, service: doc.service };
    if (m.type === 'histogram') Object.assign(metric, { count: m.count, sum: m.sum, min: m.min, max: m.max, bounds: m.bounds, bucketCounts: m.bucketCounts });
    out.metrics.push(metric);
  });
  (doc.logs ?? []).forEach((l, i) => {
    const p = `$.logs[${i}]`;
    need(isObject(l) && typeof l.message === 'string', `${p}.message`, 'a string');
    need(Object.values(LEVELS).includes(l.level), `${p}.level`, 'debug, info, warn, error or fatal');
    need(isObject(l.context), `${p}.context`, 'an object');
    out.logs.push({
      time: l.timestamp,
      level: l.level,
      message: l.message,
      attributes: l.context,
      error: l.error ?? null,
      traceId: l.metadata?.traceId ?? null,
      spanId: l.metadata?.spanId ?? null,
      service: doc.service,
    });
  });
  return out;
}

function anyValue(v, path) {
  need(isObject(v), path, 'an AnyValue object');
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) {
    need(typeof v.intValue === 'string' || Number.isInteger(v.intValue), `${path}.intValue`, 'an int64 (string)');
    return Number(v.intValue);
  }
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  throw new DecodeError(path, 'stringValue, intValue, doubleValue or boolValue');
}

function keyValues(list, path) {
  need(list === undefined || Array.isArray(list), path, 'an array of KeyValue');
  const out = {};
  (list ?? []).forEach((kv, i) => {
    need(isObject(kv) && typeof kv.key === 'string', `${path}[${i}].key`, 'a string');
    out[kv.key] = anyValue(kv.value, `${path}[${i}].value`);
  });
  return out;
}

const nanosToMs = (v, path) => {
  need(typeof v === 'string' && /^\d+$/.test(v), path, 'a decimal string of nanoseconds');
  return Number(BigInt(v) / 1000n) / 1000;
};

const SIGNAL_KEYS = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};

export function decodeOtlp(signal, doc) {
  const keys = SIGNAL_KEYS[signal];
  need(keys, 'signal', 'traces, metrics or logs');
  const [resourceKey, scopeKey, recordsKey] = keys;
  need(isObject(doc) && Array.isArray(doc[resourceKey]), `$.${resourceKey}`, 'an array');
  const out = { spans: [], metrics: [], logs: [] };
  doc[resourceKey].forEach((res, r) => {
    const rp = `$.${resourceKey}[${r}]`;
    const resource = keyValues(res.resource?.attributes, `${rp}.resource.attributes`);
    const service = resource['service.name'];
    need(typeof service === 'string', `${rp}.resource`, 'a service.name attribute');
    need(Array.isArray(res[scopeKey]), `${rp}.${scopeKey}`, 'an array');
    res[scopeKey].forEach((scope, s) => {
      const sp = `${rp}.${scopeKey}[${s}]`;
      need(Array.isArray(scope[recordsKey]), `${sp}.${recordsKey}`, 'an array');
      scope[recordsKey].forEach((rec, i) => {
        const p = `${sp}.${recordsKey}[${i}]`;
        if (signal === 'traces') out.spans.push(otlpSpan(rec, p, service));
        else if (signal === 'metrics') out.metrics.push(otlpMetric(rec, p, service));
        else out.logs.push(otlpLog(rec, p, service));
      });
    });
  });
  return out;
}

function otlpSpan(s, p, service) {
  need(isHex(s.traceId, 32), `${p}.traceId`, '32 hex digits');
  need(isHex(s.spanId, 16), `${p}.spanId`, '16 hex digits');
  need(Number.isInteger(s.kind) && s.kind >= 0 && s.kind <= 5, `${p}.kind`, 'a SpanKind integer');
  need(isObject(s.status), `${p}.status`, 'a Status object');
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId || null,
    name: s.name,
    service,
    kind: KINDS[s.kind],
    startTime: nanosToMs(s.startTimeUnixNano, `${p}.startTimeUnixNano`),
    endTime: nanosToMs(s.endTimeUnixNano, `${p}.endTimeUnixNano`),
    status: STATUS[s.status.code ?? 0],
    statusMessage: s.status.message ?? '',
    attributes: keyValues(s.attributes, `${p}.attributes`),
    events: (s.events ?? []).map((e, i) => ({
      name: e.name,
      time: nanosToMs(e.timeUnixNano, `${p}.events[${i}].timeUnixNano`),
      attributes: keyValues(e.attributes, `${p}.events[${i}].attributes`),
    })),
  };
}

function otlpMetric(m, p, service) {
  need(typeof m.name === 'string', `${p}.name`, 'a string');
  const kind = ['sum', 'gauge', 'histogram'].find((k) => isObject(m[k]));
  need(kind, p, 'one of sum, gauge or histogram');
  const dp = m[kind].dataPoints?.[0];
  need(isObject(dp), `${p}.${kind}.dataPoints[0]`, 'a data point');
  const base = {
    name: m.name,
    unit: m.unit ?? '',
    time: nanosToMs(dp.timeUnixNano, `${p}.${kind}.dataPoints[0].timeUnixNano`),
    tags: keyValues(dp.attributes, `${p}.${kind}.dataPoints[0].attributes`),
    service,
  };
  if (kind === 'histogram') {
    return {
      ...base,
      type: 'histogram',
      value: dp.sum,
      count: Number(dp.count),
      sum: dp.sum,
      min: dp.min,
      max: dp.max,
      bounds: dp.explicitBounds,
      bucketCounts: (dp.bucketCounts ?? []).map(Number),
    };
  }
  const type = kind === 'gauge' ? 'gauge' : m.sum.isMonotonic ? 'counter' : 'updowncounter';
  return { ...base, type, value: Number(dp.asDouble ?? dp.asInt) };
}

function otlpLog(l, p, service) {
  need(Number.isInteger(l.severityNumber), `${p}.severityNumber`, 'an integer');
  const attributes = keyValues(l.attributes, `${p}.attributes`);
  const error = attributes['exception.type'] || attributes['exception.message']
    ? { name: attributes['exception.type'], message: attributes['exception.message'], stack: attributes['exception.stacktrace'] }
    : null;
  return {
    time: nanosToMs(l.timeUnixNano, `${p}.timeUnixNano`),
    level: LEVELS[l.severityNumber] ?? String(l.severityNumber),
    message: anyValue(l.body, `${p}.body`),
    attributes,
    error,
    traceId: l.traceId || null,
    spanId: l.spanId || null,
    service,
  };
}
