// edgescope/testing: test your own Worker's telemetry against a real loopback collector, with
// the Worker running in workerd. Node only.
export { startCollector } from './collector.js';
export { bundleWorker, startWorker } from './worker.js';
export { expectLog, expectMetric, expectNothingDropped, expectSpan, waitForLog, waitForMetric, waitForSpan } from './assertions.js';
export { decodeNative, DecodeError } from '../wire/index.js';
export { decodeOtlp, otlpProtoToJson, validateOtlpJson } from '../wire/otlp/index.js';
export { formatRecordLines } from '../format-lines.js';
