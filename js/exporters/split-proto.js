// Splits an OTLP protobuf payload (format 'otlp-proto') a collector answered 413 into two halves
// by records, at the wire level: the body is walked, never decoded into objects and re-encoded, so
// every byte of every record, resource and scope goes out exactly as the core wrote it.
//
// The walk follows the opentelemetry-proto messages (collector/*/v1/*_service.proto):
//   Export{Trace,Metrics,Logs}ServiceRequest  1: resource_{spans,metrics,logs} (repeated)
//   Resource{Spans,Metrics,Logs}              1: resource, 2: scope_{spans,metrics,logs}, 3: schema_url
//   Scope{Spans,Metrics,Logs}                 1: scope, 2: spans | metrics | log_records, 3: schema_url
//   Metric (metrics.proto)                    5 gauge, 7 sum, 9 histogram, 10 exponential_histogram,
//                                             11 summary: the `data` oneof; its field 1: data_points
// The records are spans, log records and metric data points (as in the OTLP JSON split,
// split-payload.js). Each half keeps every other field of each resource, scope and metric that
// holds one of its records (resource attributes, scope name and version, schema_url, metric name,
// unit, temporality, monotonicity), and drops a resource, scope or metric none of whose records
// it holds. Fields the walk does not know are kept in place, so nothing is silently lost.
import { concat, fields, lenField, lenValue, ProtoWireError } from './proto-wire.js';
import { SplitError } from './split-error.js';

const NAMES = {
  traces: ['resource_spans', 'scope_spans', 'spans'],
  metrics: ['resource_metrics', 'scope_metrics', 'metrics'],
  logs: ['resource_logs', 'scope_logs', 'log_records'],
};
const METRIC_DATA = new Map([[5, 'gauge'], [7, 'sum'], [9, 'histogram'], [10, 'exponential_histogram'], [11, 'summary']]);

// -> [first, second] as splitPayload returns them. Throws SplitError: not protobuf of the
// signal's request, a record count other than payload.records, fewer than two records.
export function splitProtoPayload(payload) {
  const names = NAMES[payload.signal];
  if (!names) throw new SplitError(`an OTLP payload of signal ${JSON.stringify(payload.signal)} cannot be split (traces, metrics or logs)`);
  if (!(payload.body instanceof Uint8Array)) throw new SplitError('the payload body is not a Uint8Array');
  let tree;
  try {
    tree = walk(payload.body, payload.signal, names);
  } catch (error) {
    if (error instanceof ProtoWireError) throw new SplitError(`the otlp-proto body is not valid protobuf: ${error.message}`);
    throw error;
  }
  if (tree.records !== payload.records) {
    throw new SplitError(`the payload says ${payload.records} record(s) but its otlp-proto body holds ${tree.records}`);
  }
  if (tree.records < 2) throw new SplitError(`a payload of ${tree.records} record(s) cannot be split`);
  const cut = Math.ceil(tree.records / 2);
  return [[0, cut], [cut, tree.records]].map(([from, to], i) => ({
    signal: payload.signal,
    records: to - from,
    body: emit(tree.items, from, to),
    batchId: payload.batchId === undefined ? undefined : `${payload.batchId}-${i}`,
  }));
}

// The body as a tree of items, each one of
//   { raw }                  a field kept as it is in every half that keeps its message
//   { record, raw }          record number `record` (document order), kept in its half only
//   { field, items }         a nested message rebuilt per half, dropped when it holds none
function walk(bytes, signal, [resourceName, scopeName, recordName]) {
  let records = 0;
  const message = (start, end, child) => fields(bytes, start, end).map((f) => child(f) ?? { raw: bytes.subarray(f.start, f.end) });
  const nested = (f, name, child) => {
    lenValue(bytes, f, name);
    return { field: f.field, items: message(f.valueStart, f.end, child) };
  };
  const record = (f, name) => {
    lenValue(bytes, f, name);
    return { record: records++, raw: bytes.subarray(f.start, f.end) };
  };
  const data = (d) => {
    const name = METRIC_DATA.get(d.field);
    return name ? nested(d, name, (p) => (p.field === 1 ? record(p, `${name}.data_points`) : null)) : null;
  };
  const metric = (f) => {
    if (f.field !== 2) return null;
    const m = nested(f, 'metrics', data);
    const set = m.items.filter((item) => item.items).length;
    if (set !== 1) throw new ProtoWireError(`the metric at byte ${f.start} has ${set} of ${[...METRIC_DATA.values()].join(', ')} set, expected exactly one`);
    return m;
  };
  const scopeChild = signal === 'metrics' ? metric : (f) => (f.field === 2 ? record(f, recordName) : null);
  const scope = (f) => (f.field === 2 ? nested(f, scopeName, scopeChild) : null);
  const resource = (f) => (f.field === 1 ? nested(f, resourceName, scope) : null);
  const items = message(0, bytes.length, resource);
  return { items, records };
}

// The contents of a message holding the records in [from, to), or null when it holds none.
function emit(items, from, to) {
  const parts = [];
  let holds = false;
  for (const item of items) {
    if (item.record !== undefined) {
      if (item.record < from || item.record >= to) continue;
      parts.push(item.raw);
      holds = true;
    } else if (item.items) {
      const inner = emit(item.items, from, to);
      if (inner === null) continue;
      parts.push(lenField(item.field, inner));
      holds = true;
    } else {
      parts.push(item.raw);
    }
  }
  return holds ? concat(parts) : null;
}
