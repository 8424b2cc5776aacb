// The Analytics Engine exporter: one writeDataPoint per invocation, with the slot layout of
// ./analytics-engine-layout.js (README "Analytics Engine"). It is an invocation exporter, not a
// payload exporter: it never sees the drained spans, metrics and logs (the export pipeline leaves
// it out); it receives the invocation's summary (js/invocation-summary.js) once the root span has
// ended, so a dashboard gets every invocation, sampled or not, at the cost of one write.
//
// `dataset` is the binding itself (env.MY_DATASET). A config that reads env is a function of env
// (instrument(handler, (env) => config)), evaluated once per isolate like the collector URL of the
// HTTP exporters; the binding it captured serves every invocation of the isolate. It is the
// runtime's binding, not the instrumented env's, so these writes are never traced as spans.
//
// writeDataPoint is fire-and-forget (it returns nothing and the runtime sends the point after the
// invocation): a write costs no subrequest and is not awaited. A throw (a wrong binding, a runtime
// that refuses the point) is counted in stats().failed and logged once; it never reaches user code.
import { checkObject, EdgescopeConfigError } from '../config.js';
import { INDEX_FIELDS, layoutDataPoint } from './analytics-engine-layout.js';

// Recognised by js/config.js without importing this module.
export const INVOCATION_EXPORTER = Symbol.for('edgescope.invocationExporter');

export function isInvocationExporter(exporter) {
  return Boolean(exporter) && exporter[INVOCATION_EXPORTER] === true;
}

export function analyticsEngine(options) {
  checkObject('exporters.analyticsEngine()', options, 'an options object like { dataset: env.MY_DATASET }');
  for (const key of Object.keys(options)) {
    if (key !== 'dataset' && key !== 'indexBy') {
      throw new EdgescopeConfigError(`exporters.analyticsEngine({ ${key} })`, 'one of dataset, indexBy', key);
    }
  }
  const { dataset, indexBy = 'service' } = options;
  if (!dataset || typeof dataset !== 'object' || typeof dataset.writeDataPoint !== 'function') {
    throw new EdgescopeConfigError(
      'exporters.analyticsEngine({ dataset })',
      'an Analytics Engine dataset binding (env.MY_DATASET, declared under analytics_engine_datasets in the wrangler config)',
      dataset,
    );
  }
  if (typeof indexBy !== 'function' && !INDEX_FIELDS.includes(indexBy)) {
    throw new EdgescopeConfigError('exporters.analyticsEngine({ indexBy })', `one of ${INDEX_FIELDS.join(', ')}, or a function (summary) => string`, indexBy);
  }
  const counts = { written: 0, failed: 0, truncated: 0, refused: 0 };
  const reported = new Set();
  const reportOnce = (kind, message) => {
    if (reported.has(kind)) return;
    reported.add(kind);
    console.warn(`[edgescope] analyticsEngine: ${message} (reported once; counted in the exporter's stats())`);
  };
  return {
    name: 'analyticsEngine',
    [INVOCATION_EXPORTER]: true,
    // Writes the summary's data point. Never throws; returns the point written, or null.
    write(summary) {
      const cuts = [];
      let point;
      try {
        point = layoutDataPoint(summary, indexBy, cuts);
        dataset.writeDataPoint(point);
      } catch (error) {
        counts.failed++;
        reportOnce('failed', `a data point could not be ${point ? 'written' : 'laid out'}: ${error?.message ?? String(error)}`);
        return null;
      }
      counts.written++;
      if (cuts.length > 0) {
        counts.truncated += cuts.length;
        const { slot, field, from, to } = cuts[0];
        reportOnce('truncated', `${slot} (${field}) was cut from ${from} to ${to} bytes to fit the Analytics Engine limits`);
      }
      return point;
    },
    // The invocation already wrote its share of data points (MAX_WRITES_PER_INVOCATION).
    refuse(limit) {
      counts.refused++;
      reportOnce('refused', `more than ${limit} data points in one invocation; the rest are not written`);
    },
    stats() {
      return { ...counts };
    },
  };
}
