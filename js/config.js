// Configuration is validated once, up front, and every error names the field and the form it
// expects, so a mistake shows at the first `wrangler dev` request instead of as missing data.
import { validateBuffer } from './buffering/buffer-config.js';
import { validateBindings } from './bindings/binding-config.js';
import { validateErrors } from './monitoring/error-config.js';
import { FORMAT_LIST, isFormat } from './exporters/formats.js';
import { validateSampling } from './sampling-config.js';
import { parseNativeTracing } from './native-tracing/config.js';
import { validateCacheTiers } from './tiers/tier-config.js';

export class EdgescopeConfigError extends TypeError {
  constructor(field, expected, got) {
    super(`edgescope config: \`${field}\` must be ${expected} (got ${describe(got)})`);
    this.name = 'EdgescopeConfigError';
    this.field = field;
  }
}

const KNOWN_KEYS = new Set([
  'service',
  'exporter',
  'exporters',
  'sampleRate',
  'maxPayloadBytes',
  'maxBatchSize',
  'resource',
  'requestMetrics',
  'backgroundDeadlineMs',
  'versionMetadata',
  'capture',
  'beforeSend',
  'maxSubrequests',
  'redact',
  'buffer',
  'alerts',
  'sampling',
  'slow',
  'histograms',
  'errors',
  'cacheTiers',
  'bindings',
  'nativeTracing',
]);

export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

// An object option (not null, not an array), returned as given, or the EdgescopeConfigError naming
// the field and the form expected.
export function checkObject(field, value, expected) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EdgescopeConfigError(field, expected, value);
  return value;
}

// Refuses a key of an object option that is not one of `known` (a typo would otherwise be ignored
// silently), naming it as `field.key`; `expected` says what is allowed, by default the list.
export function checkKnownKeys(object, known, field, expected = `one of ${known.join(', ')}`) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw new EdgescopeConfigError(`${field}.${key}`, expected, key);
  }
}

// An integer option from `min` to `max`, returned as given, or the EdgescopeConfigError naming
// the field and the range (and what the number is for, when `why` says it). One check for every
// integer option of the config and the exporters, so each reads the same way and the bundle
// carries the condition and the message once.
export function integerIn(field, value, min, max, why) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EdgescopeConfigError(field, `an integer from ${min} to ${max}${why ? ` (${why})` : ''}`, value);
  }
  return value;
}

export function validateConfig(config) {
  checkObject('config', config, 'an object like { service, exporter }');
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new EdgescopeConfigError(key, `one of the known options (${[...KNOWN_KEYS].join(', ')})`, key);
    }
  }
  const { service } = config;
  if (typeof service !== 'string' || service.trim() === '' || service.length > 256) {
    throw new EdgescopeConfigError('service', 'a non-empty string of at most 256 characters', service);
  }
  const exporters = collectExporters(config);
  const sampleRate = config.sampleRate ?? 1;
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
    throw new EdgescopeConfigError('sampleRate', 'a number from 0 to 1', config.sampleRate);
  }
  const maxPayloadBytes = integerIn('maxPayloadBytes', config.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, 1024, 16 * 1024 * 1024);
  const maxBatchSize = config.maxBatchSize === undefined ? undefined : integerIn('maxBatchSize', config.maxBatchSize, 1, 1e6, 'records per payload');
  const resource = checkObject('resource', config.resource ?? {}, 'an object of string, number or boolean attributes');
  // OpenTelemetry resource attributes are scalars or homogeneous arrays of them (host.ip,
  // process.command_args): arrays go out as OTLP arrayValue like any attribute.
  for (const [key, value] of Object.entries(resource)) {
    // NaN and ±Infinity have no OTLP value and would be dropped when the resource is staged
    // (`Number(env.BUILD)` with BUILD unset is one): refused here, naming the key.
    const scalar = (v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    const homogeneous = Array.isArray(value) && value.every((v) => scalar(v) && typeof v === typeof value[0]);
    if (!scalar(value) && !homogeneous) {
      throw new EdgescopeConfigError(`resource.${key}`, 'a string, finite number or boolean, or an array of one of them', value);
    }
  }
  const requestMetrics = config.requestMetrics ?? true;
  if (typeof requestMetrics !== 'boolean') {
    throw new EdgescopeConfigError('requestMetrics', 'a boolean', config.requestMetrics);
  }
  const backgroundDeadlineMs = integerIn(
    'backgroundDeadlineMs',
    config.backgroundDeadlineMs ?? 10000,
    0,
    25000,
    'how long to wait for ctx.waitUntil work; the runtime allows 30 s in all',
  );
  const versionMetadata = config.versionMetadata;
  if (versionMetadata !== undefined && (versionMetadata === null || typeof versionMetadata !== 'object' || typeof versionMetadata.id !== 'string')) {
    throw new EdgescopeConfigError('versionMetadata', 'the version metadata binding (an object with `id` and `tag`)', versionMetadata);
  }
  const capture = validateCapture(config.capture ?? {});
  // Workers allow 50 subrequests per invocation on the Free plan and 10,000 on Paid, and 6 open
  // connections at a time; telemetry should use a small, predictable share of that.
  const maxSubrequests = integerIn('maxSubrequests', config.maxSubrequests ?? 10, 1, 10000, 'export requests per invocation');
  const redact = validateRedact(config.redact ?? {});
  const buffer = validateBuffer(config.buffer, { maxSubrequests });
  const beforeSend = config.beforeSend;
  if (beforeSend !== undefined && typeof beforeSend !== 'function') {
    throw new EdgescopeConfigError('beforeSend', 'a function (record) => record | null', beforeSend);
  }
  // createAlerts() from 'edgescope/alerts', recognised by its brand so this module imports none of it.
  const alerts = config.alerts ?? null;
  if (alerts !== null && (typeof alerts !== 'object' || alerts[Symbol.for('edgescope.alerts')] !== true)) {
    throw new EdgescopeConfigError('alerts', "the result of createAlerts({ channels, state, service }) from 'edgescope/alerts'", alerts);
  }
  const errors = validateErrors(config.errors);
  const histograms = validateHistograms(config.histograms);
  return { service, exporters, sampleRate, maxPayloadBytes, maxBatchSize, resource, requestMetrics, backgroundDeadlineMs, versionMetadata, capture, beforeSend, maxSubrequests, redact, buffer, alerts, errors, histograms, ...validateSampling(config), cacheTiers: validateCacheTiers(config.cacheTiers), bindings: validateBindings(config.bindings), nativeTracing: parseNativeTracing(config.nativeTracing) };
}

// histograms: { maxBuckets }: the bucket bound of exponential histograms (the OpenTelemetry SDK's
// MaxSize, default 160). More buckets keep a finer scale over a wide range (512 over 1 ms-10 s:
// scale 5, at most 1.08% error); each exponential series reserves 2 x maxBuckets x 8 bytes of the
// series budget, so 4096 is the most one series may take.
function validateHistograms(histograms) {
  if (histograms === undefined) return { maxBuckets: 160 };
  checkObject('histograms', histograms, 'an object like { maxBuckets: 160 }');
  checkKnownKeys(histograms, ['maxBuckets'], 'histograms', 'maxBuckets (the only histogram option)');
  return { maxBuckets: integerIn('histograms.maxBuckets', histograms.maxBuckets ?? 160, 4, 4096) };
}

// The redaction policy the core applies to every value as it enters (ARCHITECTURE.md, "Secrets
// and personal data"). Built-in categories are on unless turned off; the lists extend them. The
// core checks each entry again and names a bad one; the shapes are checked here, at deploy time.
const REDACT_SWITCHES = ['defaultKeys', 'keysInText', 'authCredentials', 'jwts', 'cardNumbers'];
const REDACT_LISTS = { keys: [64, 1, 256], valuePrefixes: [32, 3, 64], literals: [32, 8, 256] };
function validateRedact(redact) {
  checkObject('redact', redact, 'an object like { keys, valuePrefixes, literals }');
  checkKnownKeys(redact, [...REDACT_SWITCHES, ...Object.keys(REDACT_LISTS)], 'redact');
  const out = {};
  for (const name of REDACT_SWITCHES) {
    const value = redact[name] ?? true;
    if (typeof value !== 'boolean') throw new EdgescopeConfigError(`redact.${name}`, 'a boolean', value);
    out[name] = value;
  }
  for (const [name, [max, minLength, maxLength]] of Object.entries(REDACT_LISTS)) {
    const list = redact[name] ?? [];
    if (!Array.isArray(list) || list.length > max) {
      throw new EdgescopeConfigError(`redact.${name}`, `an array of at most ${max} strings`, list);
    }
    list.forEach((entry, i) => {
      if (typeof entry !== 'string' || entry.length < minLength || entry.length > maxLength || entry.includes('\n')) {
        throw new EdgescopeConfigError(`redact.${name}[${i}]`, `a string of ${minLength} to ${maxLength} characters without a line break`, entry);
      }
    });
    out[name] = [...list];
  }
  const off = REDACT_SWITCHES.filter((name) => !out[name]);
  out.disabled = off;
  return out;
}

// What is recorded about the client and the headers: nothing unless asked (personal data stays in
// by default, as Sentry's sendDefaultPii does).
function validateCapture(capture) {
  checkObject('capture', capture, 'an object like { clientAddress, requestHeaders, responseHeaders }');
  checkKnownKeys(capture, ['clientAddress', 'requestHeaders', 'responseHeaders'], 'capture');
  const clientAddress = capture.clientAddress ?? false;
  if (typeof clientAddress !== 'boolean') throw new EdgescopeConfigError('capture.clientAddress', 'a boolean', clientAddress);
  const headerList = (field) => {
    const list = capture[field] ?? [];
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h))) {
      throw new EdgescopeConfigError(`capture.${field}`, 'an array of header names', list);
    }
    return list.map((h) => h.toLowerCase());
  };
  return { clientAddress, requestHeaders: headerList('requestHeaders'), responseHeaders: headerList('responseHeaders') };
}

function collectExporters(config) {
  if (config.exporter !== undefined && config.exporters !== undefined) {
    throw new EdgescopeConfigError('exporter', 'given alone (use either `exporter` or `exporters`)', 'both');
  }
  const list = config.exporters ?? (config.exporter === undefined ? undefined : [config.exporter]);
  const field = config.exporters !== undefined ? 'exporters' : 'exporter';
  if (!Array.isArray(list) || list.length === 0) {
    throw new EdgescopeConfigError(field, 'an exporter such as exporters.http({ url }) (or a non-empty array of them)', list);
  }
  let invocationExporters = 0;
  list.forEach((exporter, i) => {
    const name = config.exporters !== undefined ? `exporters[${i}]` : 'exporter';
    // Invocation exporters (exporters.analyticsEngine) write one summary per invocation instead of
    // sending payloads (js/invocation-summary.js).
    if (exporter && exporter[Symbol.for('edgescope.invocationExporter')] === true) {
      if (typeof exporter.write !== 'function') throw new EdgescopeConfigError(name, 'an invocation exporter with write()', exporter);
      // Analytics Engine: 25 data points per invocation (js/exporters/analytics-engine-layout.js).
      if (++invocationExporters > 25) throw new EdgescopeConfigError(name, 'one of at most 25 analyticsEngine exporters (one data point each per invocation)', exporter);
      return;
    }
    if (!exporter || typeof exporter.send !== 'function' || !isFormat(exporter.format)) {
      throw new EdgescopeConfigError(name, `an exporter object with send() and format ${FORMAT_LIST}`, exporter);
    }
  });
  // The spans, metrics and logs an invocation records need somewhere to go; a summary alone would
  // drain them into nothing.
  if (invocationExporters === list.length) {
    throw new EdgescopeConfigError(field, 'a list with at least one payload exporter (http, direct or console) besides analyticsEngine', list);
  }
  return list;
}

export function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return `an ${typeof value}`;
}
