// The TypeScript declarations of js/wire (index.d.ts), generated from the record schema so the
// types say exactly what the decoder returns. tests/js/wire-schema.test.js fails when index.d.ts
// differs from declarations(); regenerate with
//   node -e "import('./js/wire/types.js').then((m) => process.stdout.write(m.declarations()))" > js/wire/index.d.ts
import { PAYLOAD, RECORDS, SHAPES } from './schema.js';

const INTERFACE = { span: 'WireSpan', metric: 'WireMetric', log: 'WireLog' };

function tsType(f) {
  if (f.shape) return f.shape;
  switch (f.type) {
    case 'number':
    case 'integer': return 'number';
    case 'enum': return (f.decoded ?? f.values).map((v) => JSON.stringify(v)).join(' | ');
    case 'object': return 'Attributes';
    case 'array': return `${SHAPES[f.items] ? f.items : tsType({ type: f.items ?? 'unknown' })}[]`;
    case 'exponential': return 'ExponentialSketch';
    default: return 'string';
  }
}

// Present on every record: required, filled from the payload, or given a fallback. Left out when
// absent: keepUndefined fields and the histogram-only ones. Otherwise null when not sent.
function member(f) {
  const type = tsType(f);
  if (f.required || f.fromPayload || (f.fallback !== undefined && f.fallback !== null)) return `  ${f.name}: ${type};`;
  if (f.keepUndefined || f.histogram) return `  ${f.name}?: ${type};`;
  return `  ${f.name}: ${type} | null;`;
}

export function declarations() {
  const out = [
    '// Generated from js/wire/schema.js by js/wire/types.js: do not edit by hand.',
    'export type Attributes = Record<string, unknown>;',
    'export interface ExponentialBuckets { offset: number; bucketCounts: number[] }',
    'export interface ExponentialSketch { scale: number; zeroCount: number; positive: ExponentialBuckets; negative: ExponentialBuckets }',
  ];
  for (const [name, fields] of Object.entries(SHAPES)) out.push(`export interface ${name} {`, ...fields.map(member), '}');
  for (const [kind, { fields }] of Object.entries(RECORDS)) out.push(`export interface ${INTERFACE[kind]} {`, ...fields.map(member), '}');
  const payload = PAYLOAD.filter((f) => f.name === 'version' || f.name === 'batchId');
  out.push(
    'export interface DecodedPayload {',
    ...payload.map((f) => (f.name === 'version' ? '  version: number;' : '  batchId: string | null;')),
    '  spans: WireSpan[];',
    '  metrics: WireMetric[];',
    '  logs: WireLog[];',
    '}',
    'export type RecordKind = ' + Object.keys(RECORDS).map((k) => JSON.stringify(k)).join(' | ') + ';',
    'export interface FieldSpec { name: string; wire?: string; type: string; required?: boolean; [bound: string]: unknown }',
    'export const NATIVE_FORMAT_VERSION: number;',
    'export const ACCEPTED_VERSIONS: readonly number[];',
    'export const PAYLOAD: readonly FieldSpec[];',
    'export const RECORDS: Readonly<Record<RecordKind, { list: string; table: string; fields: readonly FieldSpec[] }>>;',
    '/** The objects nested in records, named by a field\'s `items` (array elements) or `shape`. */',
    'export const SHAPES: Readonly<Record<' + Object.keys(SHAPES).map((k) => JSON.stringify(k)).join(' | ') + ', readonly FieldSpec[]>>;',
    'export class DecodeError extends Error {',
    '  /** JSON path of the offending value, e.g. `$.spans[1].traceId`. */',
    '  readonly path: string;',
    '}',
    '/** Validates a native ingest payload against the schema; throws DecodeError naming the bad field. */',
    'export function decodeNative(doc: unknown): DecodedPayload;',
    '/** CREATE TABLE statements (batches, spans, metric_points, logs) for D1. */',
    'export function createTableStatements(): string[];',
    '/** The parameterised INSERT of one decoded record, for D1 prepare(sql).bind(...params). */',
    "export function insertStatement(kind: RecordKind | 'batch', record: object, batchId?: string | null): { sql: string; params: unknown[] };",
  );
  return `${out.join('\n')}\n`;
}
