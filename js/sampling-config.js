// `sampling` and `slow` config: validated up front (every error names its field), then handed to
// the core once per core instance (es_set_sampling, bindings/edgescope.h).
//
//   sampling: { ratio, keep: { errors, statusAtLeast, slowerThanMs, routes, spanNames } }
//   slow: { requestMs, fetchMs, queryMs }
//
// `ratio` is the head sampling ratio (the OpenTelemetry TraceIdRatioBased rule, sampling.hpp);
// `sampleRate` is the same setting under its older name, so giving both is refused rather than
// guessing which one was meant. With any keep rule, a trace the ratio rejects is recorded
// provisionally in the core and kept whole if a rule matched when its root span ends
// (wasm/include/edgescope/tracer.hpp). Route and span name patterns are the exact value, or
// `prefix*` for every value that starts with the prefix; nothing else is special.
import { checkKnownKeys, checkObject, EdgescopeConfigError } from './config.js';

const KEEP_KEYS = ['errors', 'statusAtLeast', 'slowerThanMs', 'routes', 'spanNames'];
const SLOW_KEYS = ['requestMs', 'fetchMs', 'queryMs'];
const MAX_PATTERNS = 64;
const MAX_PATTERN_LENGTH = 256;
// The core's limit on milliseconds is "finite"; a day is far past anything a Worker runs for.
const MAX_MS = 86_400_000;

function checkKeys(value, field, keys) {
  checkObject(field, value, `an object with any of ${keys.join(', ')}`);
  checkKnownKeys(value, keys, field);
}

function milliseconds(value, field) {
  if (value === undefined) return -1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_MS) {
    throw new EdgescopeConfigError(field, `a number of milliseconds from 0 to ${MAX_MS}`, value);
  }
  return value;
}

function patterns(list, field) {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > MAX_PATTERNS) {
    throw new EdgescopeConfigError(field, `an array of at most ${MAX_PATTERNS} patterns`, list);
  }
  list.forEach((p, i) => {
    const star = typeof p === 'string' ? p.indexOf('*') : -1;
    if (typeof p !== 'string' || p === '' || p === '*' || p.length > MAX_PATTERN_LENGTH || p.includes('\n') ||
        (star !== -1 && star !== p.length - 1)) {
      throw new EdgescopeConfigError(
        `${field}[${i}]`,
        `an exact value or a prefix ending in one '*' (1 to ${MAX_PATTERN_LENGTH} characters, not a lone '*', no line break)`,
        p,
      );
    }
  });
  return [...list];
}

function validateKeep(keep) {
  if (keep === undefined) return null;
  checkKeys(keep, 'sampling.keep', KEEP_KEYS);
  const errors = keep.errors ?? false;
  if (typeof errors !== 'boolean') throw new EdgescopeConfigError('sampling.keep.errors', 'a boolean', errors);
  const statusAtLeast = keep.statusAtLeast ?? 0;
  if (keep.statusAtLeast !== undefined && (!Number.isInteger(statusAtLeast) || statusAtLeast < 100 || statusAtLeast > 599)) {
    throw new EdgescopeConfigError('sampling.keep.statusAtLeast', 'an HTTP status code from 100 to 599', keep.statusAtLeast);
  }
  const out = {
    errors,
    statusAtLeast,
    slowerThanMs: milliseconds(keep.slowerThanMs, 'sampling.keep.slowerThanMs'),
    routes: patterns(keep.routes, 'sampling.keep.routes'),
    spanNames: patterns(keep.spanNames, 'sampling.keep.spanNames'),
  };
  const any = out.errors || out.statusAtLeast > 0 || out.slowerThanMs >= 0 || out.routes.length > 0 || out.spanNames.length > 0;
  return any ? out : null;
}

// The `sampling` and `slow` parts of a validated config: { sampleRate, sampling: { keep, slow } }.
// `keep` is null without any rule (plain head sampling, the cost of before).
export function validateSampling(config) {
  let sampleRate = config.sampleRate ?? 1;
  let keep = null;
  if (config.sampling !== undefined) {
    if (config.sampleRate !== undefined) {
      throw new EdgescopeConfigError('sampleRate', 'left out when `sampling` is given (use sampling.ratio)', config.sampleRate);
    }
    checkKeys(config.sampling, 'sampling', ['ratio', 'keep']);
    const ratio = config.sampling.ratio ?? 1;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
      throw new EdgescopeConfigError('sampling.ratio', 'a number from 0 to 1', config.sampling.ratio);
    }
    sampleRate = ratio;
    keep = validateKeep(config.sampling.keep);
  }
  const slowConfig = config.slow === undefined ? {} : config.slow;
  checkKeys(slowConfig, 'slow', SLOW_KEYS);
  const slow = {
    requestMs: milliseconds(slowConfig.requestMs, 'slow.requestMs'),
    fetchMs: milliseconds(slowConfig.fetchMs, 'slow.fetchMs'),
    queryMs: slowConfig.queryMs === undefined ? 100 : milliseconds(slowConfig.queryMs, 'slow.queryMs'),
  };
  return { sampleRate, sampling: { keep, slow } };
}

// Hands the validated settings to a new core (core-telemetry.js attach). Throws with the core's
// message if it refuses them (it checks every field again).
// A new core already has no keep rules and the default slow thresholds (KeepRules and
// SlowThresholds in wasm/include/edgescope: sampling.hpp, telemetry.hpp), so those are not sent:
// a fresh isolate's first Telemetry then skips es_set_sampling, whose first call compiles and runs
// the core's checks only to leave the core as es_create made it.
export function applySampling(x, memory, h, sampling) {
  const keep = sampling.keep;
  const { slow } = sampling;
  if (keep === null && slow.requestMs === -1 && slow.fetchMs === -1 && slow.queryMs === 100) return null;
  const lists = keep ? [keep.routes.join('\n'), keep.spanNames.join('\n')] : ['', ''];
  const total = lists.reduce((n, text) => n + text.length * 3, 0);
  const ptr = x.es_scratch(total);
  if (ptr === 0 && total > 0) return memory.lastError();
  const lengths = [];
  let offset = 0;
  for (const text of lists) {
    const written = new TextEncoder().encodeInto(text, memory.view(ptr + offset, text.length * 3)).written;
    lengths.push(written);
    offset += written;
  }
  const status = x.es_set_sampling(
    h,
    keep?.errors ? 1 : 0,
    keep?.statusAtLeast ?? 0,
    keep?.slowerThanMs ?? -1,
    slow.requestMs,
    slow.fetchMs,
    slow.queryMs,
    ...lengths,
  );
  return status < 0 ? memory.lastError() : null;
}
