// Metrics API. Values aggregate per series in the core until the next flush; a bad value is
// refused, counted, and reported once per metric name (a telemetry call never throws into the
// request it is measuring).
import { MetricType } from './core/core-telemetry.js';

// A histogram's aggregation, as the core's series types (wasm/include/edgescope/metrics.hpp):
// MetricType.histogram lets the core choose by unit (a duration, "s" or "ms", gets the
// exponential histogram whose buckets merge across isolates; anything else explicit buckets);
// these two ask for one.
const HistogramType = Object.freeze({ explicit: 4, exponential: 5 });

export class Metrics {
  constructor(telemetry) {
    this.telemetry = telemetry;
    this.reported = new Set();
  }

  increment(name, value = 1, tags, options) {
    this.record(MetricType.counter, name, value, tags, options);
  }

  // An up-down counter: deltas may be negative (queue depth, in-flight requests).
  add(name, delta, tags, options) {
    this.record(MetricType.updown, name, delta, tags, options);
  }

  gauge(name, value, tags, options) {
    this.record(MetricType.gauge, name, value, tags, options);
  }

  // options.aggregation: 'explicit' (the OpenTelemetry SDK default bounds) or 'exponential'; by
  // default durations are exponential and other units explicit.
  histogram(name, value, tags, options) {
    let type = MetricType.histogram;
    const aggregation = options?.aggregation;
    if (aggregation !== undefined) {
      type = Object.hasOwn(HistogramType, aggregation) ? HistogramType[aggregation] : MetricType.histogram;
      if (type === MetricType.histogram) {
        this.reportOnce(name, `histogram aggregation must be 'explicit' or 'exponential', got ${String(aggregation)}: recorded with the default for its unit`);
      }
    }
    this.record(type, name, value, tags, options);
  }

  // Returns stop(): records the elapsed milliseconds as a histogram and returns them. In
  // production Workers the clock advances only across I/O, so this measures I/O waits.
  startTimer(name, tags, options = {}) {
    const start = Date.now();
    let stopped = false;
    return (extraTags) => {
      const elapsed = Date.now() - start;
      if (!stopped) {
        stopped = true;
        this.histogram(name, elapsed, extraTags ? { ...tags, ...extraTags } : tags, { unit: 'ms', ...options });
      }
      return elapsed;
    };
  }

  record(type, name, value, tags, options) {
    const core = this.telemetry.core;
    let series;
    try {
      series = core.seriesId(type, name, options?.unit ?? '', tags);
    } catch (error) {
      this.reportOnce(name, error.message);
      return;
    }
    if (series === 0) return; // series bound reached: counted by the core, logged after the flush
    const problem = core.record(series, typeof value === 'number' ? value : Number.NaN, Date.now());
    if (problem) this.reportOnce(name, `${problem} (metric '${name}', value ${String(value)})`);
    this.telemetry.late?.note();
  }

  reportOnce(name, message) {
    if (this.reported.has(name)) return;
    this.reported.add(name);
    console.warn(`[edgescope] ${message}; further problems with '${name}' are only counted`);
  }
}
