// The drain: everything finished is taken out of the core and encoded synchronously, at the
// moment flush() is called, so what an invocation produced is in JavaScript memory before the
// first await. Delivery then runs inside the caller's ctx.waitUntil. Every record that does not
// arrive is counted and logged with its cause (DESIGN.md section 3, step 5).
import { DROP_STATS } from './core/core-telemetry.js';

export class ExportPipeline {
  constructor(core, exporters) {
    this.core = core;
    this.exporters = exporters;
    this.counters = { exported: 0, failed: 0, dropped: 0, payloadsSent: 0, payloadsFailed: 0, flushes: 0 };
    this.lastError = null;
    this.coreStatsSeen = core.stats();
  }

  flush() {
    this.counters.flushes++;
    const records = this.core.drain();
    const deliveries = [];
    if (records > 0) {
      const byFormat = new Map();
      for (const exporter of this.exporters) {
        if (!byFormat.has(exporter.format)) byFormat.set(exporter.format, this.core.encode(exporter.format));
      }
      for (const exporter of this.exporters) deliveries.push(this.deliver(exporter, byFormat.get(exporter.format)));
    }
    this.core.release();
    this.reportCoreDrops();
    return Promise.all(deliveries).then(() => ({ records }));
  }

  async deliver(exporter, payloads) {
    let results;
    try {
      results = await exporter.send(payloads);
    } catch (error) {
      // A custom exporter that throws must not turn into an unhandled rejection in waitUntil.
      results = payloads.map((p) => ({ ok: false, records: p.records, error: `exporter threw: ${error?.message ?? error}` }));
    }
    let lostRecords = 0;
    let lostPayloads = 0;
    let firstError = null;
    for (const result of results) {
      if (result.ok) {
        this.counters.exported += result.records;
        this.counters.payloadsSent++;
      } else {
        lostRecords += result.records;
        lostPayloads++;
        firstError ??= result;
      }
    }
    if (lostPayloads > 0) {
      this.counters.failed += lostRecords;
      this.counters.payloadsFailed += lostPayloads;
      this.lastError = `${exporter.name} ${firstError.url ?? exporter.endpoint}: ${firstError.error}`;
      console.error(
        `[edgescope] export failed: ${this.lastError}; ${lostRecords} record(s) in ${lostPayloads} payload(s) not delivered`,
      );
    }
  }

  reportCoreDrops() {
    const now = this.core.stats();
    const causes = [];
    for (const name of DROP_STATS) {
      const delta = now[name] - this.coreStatsSeen[name];
      if (delta > 0) {
        this.counters.dropped += delta;
        causes.push(`${delta} ${name}`);
      }
    }
    this.coreStatsSeen = now;
    if (causes.length > 0) console.error(`[edgescope] telemetry dropped by bounds: ${causes.join(', ')}`);
  }

  stats() {
    return { ...this.counters, lastError: this.lastError, core: this.core.stats() };
  }
}
