// The drain: everything finished is taken out of the core and encoded synchronously, at the
// moment flush() is called, so what an invocation produced is in JavaScript memory before the
// first await. Delivery then runs inside the caller's ctx.waitUntil. Every record that does not
// arrive is counted and logged with its cause (ARCHITECTURE.md, "Request lifecycle").
//
// One flush is one invocation's export: its exporters share one subrequest budget
// (maxSubrequests) and the invocation's 6 connection slots (js/exporters/flush-context.js).
//
// Totals count each drained record once, however many exporters there are:
//   dropped  += the records the encoding of some format could not fit (the most any one format
//               dropped; an oversize record is usually oversize in every format)
//   exported += the records delivered by the exporter that delivered the fewest
//   buffered += the records kept in the offline buffer (the most any one exporter kept)
//   rejected += the records a collector refused for good (4xx, OTLP partialSuccess)
//   failed   += the rest (lost), so exported + buffered + rejected + failed + dropped(by
//               encoding) = records drained. Replays are counted in stats().buffer.
// With one exporter this is exactly what it delivered. With several, `exported` means "delivered
// by every exporter" when exporters fail on the same records or whole drains (the usual case:
// a collector is down); per-record identity across formats is not tracked, so when different
// exporters lose different payloads of one drain it is an upper bound. stats().exporters[i] has
// each exporter's exact counts.
import { DROP_STATS } from './core/core-telemetry.js';
import { ExporterStats, describeCauses, describeFailures, summarize } from './export-outcome.js';
import { createFlushContext, validateMaxSubrequests } from './exporters/flush-context.js';
import { OfflineBuffer } from './buffering/offline-buffer.js';

// Counters the core increments once per encode, i.e. once per wire format in use; the pipeline
// counts them once per drained record instead (the most any one format counted).
const ENCODE_STATS = Object.freeze(['recordsDroppedOversize', 'recordsShrunk']);

export class ExportPipeline {
  // options: { maxSubrequests?: number } (validated: an integer from 1 to 10000; default 10),
  //          { buffer?: validated `buffer` config (js/buffering/buffer-config.js) or null }
  constructor(core, allExporters, options = {}) {
    // Invocation exporters (Analytics Engine) get the invocation summary, never payloads.
    const exporters = allExporters.filter((e) => e[Symbol.for('edgescope.invocationExporter')] !== true);
    this.core = core;
    this.buffer = options.buffer ? new OfflineBuffer(options.buffer, exporters) : null;
    this.exporters = exporters;
    this.maxSubrequests = validateMaxSubrequests(options.maxSubrequests);
    this.counters = { exported: 0, buffered: 0, rejected: 0, failed: 0, dropped: 0, payloadsSent: 0, payloadsFailed: 0, flushes: 0 };
    this.perExporter = exporters.map((exporter) => new ExporterStats(exporter));
    this.lastError = null;
    this.coreStatsSeen = core.stats();
    this.encodeCounted = Object.fromEntries(ENCODE_STATS.map((name) => [name, this.coreStatsSeen[name]]));
  }

  // options: { maxSubrequests?: number } overrides the pipeline's budget for this flush;
  // { replay?: boolean } (default true) replays the offline buffer's backlog first.
  // Never rejects: every failure is counted and logged.
  flush(options = {}) {
    const maxSubrequests = options.maxSubrequests === undefined ? this.maxSubrequests : validateMaxSubrequests(options.maxSubrequests);
    this.counters.flushes++;
    const records = this.core.drain();
    if (records === 0) {
      // Nothing drained (a request that recorded nothing, a second flush with nothing new): no
      // encode and no release (the next drain releases first; es_drain in the core), only the
      // drops counted since the last flush.
      this.reportCoreDrops(null, this.core.stats());
      return Promise.resolve({ records });
    }
    let encoded = null;
    let encodeError = null;
    // The core's counters, read once before the encodes and once after each (es_stats: one call).
    let counters = null;
    try {
      ({ encoded, counters } = this.encodeEach());
    } catch (error) {
      encodeError = error;
    } finally {
      this.core.release();
    }
    this.reportCoreDrops(encoded, counters ?? this.core.stats());
    if (encodeError) {
      this.failWhole(records, encodeError);
      return Promise.resolve({ records });
    }
    const formatDropped = new Map([...encoded].map(([format, e]) => [format, records - e.records]));
    const encodeDropped = Math.max(0, ...formatDropped.values());
    this.counters.dropped += encodeDropped;
    this.exporters.forEach((exporter, i) => {
      this.perExporter[i].dropped += formatDropped.get(exporter.format);
    });
    const context = createFlushContext({ maxSubrequests });
    return this.deliverAll(encoded, context, options.replay !== false).then((totals) => {
      this.counters.exported += totals.exported;
      this.counters.buffered += totals.buffered;
      this.counters.rejected += totals.rejected;
      this.counters.failed += Math.max(0, records - encodeDropped - totals.exported - totals.buffered - totals.rejected);
      return { records };
    });
  }

  // Replay first (within its bound), then this flush's payloads: sent, or, for an exporter whose
  // backlog remains, put behind it so order holds; whatever is still undelivered goes to the buffer.
  async deliverAll(encoded, context, replay) {
    let blocked = new Set();
    if (this.buffer && replay) ({ blocked } = await this.buffer.replayBacklog(context));
    else if (this.buffer) blocked = this.buffer.heldBack();
    const outcomes = await Promise.all(
      this.exporters.map((exporter, i) => {
        const payloads = encoded.get(exporter.format).payloads;
        return blocked.has(i) ? this.holdBack(i, payloads) : this.deliver(i, payloads, context);
      }),
    );
    const later = outcomes.flatMap((o, i) => o.retryLater.map((payload) => ({ exporter: i, payload })));
    let lostInBuffer = new Map();
    if (later.length > 0) lostInBuffer = await this.keepForLater(later);
    outcomes.forEach((o, i) => {
      const lost = lostInBuffer.get(i) ?? 0;
      const stats = this.perExporter[i];
      stats.buffered += o.laterRecords - lost;
      stats.failed += o.lost + lost;
      if (lost > 0 && this.buffer) stats.failedByCause.buffer = (stats.failedByCause.buffer ?? 0) + lost;
      o.buffered = o.laterRecords - lost;
    });
    const min = (key) => (outcomes.length > 0 ? Math.min(...outcomes.map((o) => o[key])) : 0);
    const max = (key) => (outcomes.length > 0 ? Math.max(...outcomes.map((o) => o[key])) : 0);
    return { exported: min('delivered'), buffered: max('buffered'), rejected: max('rejected') };
  }

  // The buffer holds a backlog: this flush's payloads go behind it, unsent.
  holdBack(i, payloads) {
    const records = payloads.reduce((n, p) => n + p.records, 0);
    return { delivered: 0, rejected: 0, lost: 0, retryLater: payloads, laterRecords: records };
  }

  // Undelivered payloads into the buffer; resolves to Map(exporter index -> records lost there).
  async keepForLater(later) {
    const lost = new Map();
    if (!this.buffer) {
      for (const { exporter, payload } of later) lost.set(exporter, (lost.get(exporter) ?? 0) + payload.records);
      return lost;
    }
    // One append per exporter, so a refusal is attributed to the exporter whose payload it was.
    const byExporter = new Map();
    for (const item of later) byExporter.set(item.exporter, [...(byExporter.get(item.exporter) ?? []), item]);
    for (const [exporter, items] of byExporter) {
      const { lostRecords } = await this.buffer.keep(items);
      if (lostRecords > 0) lost.set(exporter, lostRecords);
    }
    return lost;
  }

  // One encode per wire format in use, with the encode-time counters of each.
  // Returns { encoded, counters }: counters as read after the last encode.
  encodeEach() {
    const encoded = new Map();
    let before = this.core.stats();
    for (const exporter of this.exporters) {
      if (encoded.has(exporter.format)) continue;
      const payloads = this.core.encode(exporter.format);
      const after = this.core.stats();
      const counted = {};
      for (const name of ENCODE_STATS) counted[name] = after[name] - before[name];
      encoded.set(exporter.format, { payloads, records: payloads.reduce((sum, p) => sum + p.records, 0), counted });
      before = after;
    }
    return { encoded, counters: before };
  }

  // Sends through exporter i. Resolves to { delivered, rejected, lost, retryLater, laterRecords };
  // never rejects.
  async deliver(i, payloads, context) {
    const exporter = this.exporters[i];
    const stats = this.perExporter[i];
    let results = [];
    if (payloads.length > 0) {
      try {
        results = await exporter.send(payloads, context);
      } catch (error) {
        // A custom exporter that throws must not turn into an unhandled rejection in waitUntil.
        const message = `exporter threw: ${error?.message ?? error}`;
        results = payloads.map(() => ({ ok: false, cause: 'exporter', error: message }));
      }
    }
    const summary = summarize(payloads, results);
    stats.exported += summary.delivered;
    stats.rejected += summary.rejected;
    stats.payloadsSent += summary.payloadsSent;
    this.counters.payloadsSent += summary.payloadsSent;
    if (summary.payloadsFailed > 0) {
      stats.payloadsFailed += summary.payloadsFailed;
      this.counters.payloadsFailed += summary.payloadsFailed;
      for (const [cause, n] of summary.byCause) stats.failedByCause[cause] = (stats.failedByCause[cause] ?? 0) + n;
      stats.lastError = describeFailures(summary.failures, stats.endpoint);
      this.lastError = `${stats.name} ${stats.lastError}`;
      const where = summary.laterRecords > 0 ? (this.buffer ? `; ${summary.laterRecords} record(s) kept in the offline buffer (${this.buffer.kind})` : `; ${summary.laterRecords} record(s) lost (buffer: false)`) : '';
      console.error(
        `[edgescope] export failed: ${this.lastError}; ${summary.payloadsFailed} payload(s) not delivered (${describeCauses(summary.failures)})${where}`,
      );
    }
    return { delivered: summary.delivered, rejected: summary.rejected, lost: summary.lost, retryLater: summary.retryLater, laterRecords: summary.laterRecords };
  }

  // The core could not encode the drain (a CoreError): nothing of it can be sent.
  failWhole(records, error) {
    this.counters.failed += records;
    this.lastError = `encode: ${error?.message ?? error}`;
    for (const stats of this.perExporter) {
      stats.failed += records;
      stats.failedByCause.encode = (stats.failedByCause.encode ?? 0) + records;
      stats.lastError = this.lastError;
    }
    console.error(`[edgescope] export failed: ${this.lastError}; ${records} record(s) not delivered`);
  }

  // New core drop counters become stats().dropped and one console.error line. The encode-time
  // counters are taken once per drain (see ENCODE_STATS), not once per format.
  // now: the core's counters as read at the end of this drain's encodes.
  reportCoreDrops(encoded, now) {
    // stats() hands back the same object while no counter moved: nothing new to report.
    if (encoded === null && now === this.coreStatsSeen) return;
    const once = {};
    for (const name of ENCODE_STATS) once[name] = encoded ? Math.max(0, ...[...encoded.values()].map((e) => e.counted[name])) : 0;
    for (const name of ENCODE_STATS) this.encodeCounted[name] += once[name];
    const causes = [];
    for (const name of DROP_STATS) {
      // Encode-time drops reach `dropped` through flush(), which counts records, not formats.
      const delta = ENCODE_STATS.includes(name) ? once[name] : now[name] - this.coreStatsSeen[name];
      if (delta <= 0) continue;
      if (!ENCODE_STATS.includes(name)) this.counters.dropped += delta;
      causes.push(`${delta} ${name}`);
    }
    this.coreStatsSeen = now;
    if (causes.length > 0) console.error(`[edgescope] telemetry dropped by bounds: ${causes.join(', ')}`);
  }

  stats() {
    return {
      ...this.counters,
      lastError: this.lastError,
      exporters: this.perExporter.map((s) => s.snapshot()),
      buffer: this.buffer ? this.buffer.stats() : null,
      core: { ...this.core.stats(), ...this.encodeCounted },
    };
  }
}
