// The prebuilt payload both sides of bench/exporter-overhead.mjs send: ~2.8 KB of OTLP/JSON traces
// (the size the benchmark workload's drain produces), made once per isolate, so neither side
// records or encodes anything per request. Only the exporter's own work differs between them.
const span = (i) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: `b7ad6b71692033${String(i).padStart(2, '0')}`,
  name: `child ${i}`,
  kind: 1,
  startTimeUnixNano: '1765100000000000000',
  endTimeUnixNano: '1765100000001000000',
  attributes: [
    { key: 'item.id', value: { stringValue: `item-${i}` } },
    { key: 'item.count', value: { intValue: String(i) } },
  ],
});
const doc = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
      scopeSpans: [{ scope: { name: 'edgescope' }, spans: Array.from({ length: 14 }, (_, i) => span(i)) }],
    },
  ],
};

export const BODY = new TextEncoder().encode(JSON.stringify(doc));
export const RECORDS = 14;
export const BATCH_ID = '0af7651916cd43dd8448eb211c80319c';
