// The offline buffer's activity as metrics, so a dashboard sees an outage's backlog, not only the
// log: recorded at the start of a flush that has telemetry of its own to send (what happened since
// the last one), so they ride along with it. They never make a payload by themselves: during an
// outage that payload would itself be buffered, and the buffer would fill with its own metrics.
//   edgescope.buffer.entries, edgescope.buffer.bytes       gauges, when they changed
//   edgescope.buffer.stored / evicted / refused           counters (payloads)
//   edgescope.buffer.replayed {outcome: delivered|failed}  counter (payloads)
//   edgescope.buffer.dropped {reason: expired|exhausted|corrupt|unknown_exporter|unwritten}  counter
//     (unwritten: the store failed to write it, e.g. a KV put() refused)
const COUNTERS = [
  ['stored', 'edgescope.buffer.stored', undefined],
  ['evicted', 'edgescope.buffer.evicted', undefined],
  ['refused', 'edgescope.buffer.refused', undefined],
  ['replayed', 'edgescope.buffer.replayed', { outcome: 'delivered' }],
  ['replayFailed', 'edgescope.buffer.replayed', { outcome: 'failed' }],
  ...['expired', 'exhausted', 'corrupt', 'unknownExporter', 'unwritten'].map((field) => [
    field,
    'edgescope.buffer.dropped',
    { reason: field === 'unknownExporter' ? 'unknown_exporter' : field },
  ]),
];

export class BufferMetrics {
  constructor(telemetry) {
    this.telemetry = telemetry;
    this.seen = {};
    this.gauges = { entries: null, bytes: null };
  }

  record() {
    const buffer = this.telemetry.pipeline.buffer;
    if (!buffer || this.telemetry.core.pending() === 0) return;
    const now = buffer.stats();
    const metrics = this.telemetry.metrics;
    for (const [field, name, tags] of COUNTERS) {
      const delta = now[field] - (this.seen[field] ?? 0);
      if (delta > 0) metrics.increment(name, delta, tags, { unit: '{payload}' });
      this.seen[field] = now[field];
    }
    // Gauges when the size changed; an empty buffer that was never anything else says nothing.
    for (const field of ['entries', 'bytes']) {
      if (now[field] === null || now[field] === (this.gauges[field] ?? 0)) continue;
      metrics.gauge(`edgescope.buffer.${field}`, now[field], undefined, { unit: field === 'bytes' ? 'By' : '{payload}' });
      this.gauges[field] = now[field];
    }
  }
}
