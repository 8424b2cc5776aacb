// The tail Worker's config: edgescope's own config (js/config.js: exporters, buffer, sampling,
// errors, alerts, ...) plus the keys only this mode has. `service` is optional here: every record's
// service.name is the watched Worker's `scriptName`; `service` names the records of a TraceItem
// that has none (the platform sends `scriptName: null` for some events), 'unknown_service' (the
// OpenTelemetry resource default) otherwise.
import { EdgescopeConfigError, validateConfig } from '../config.js';

export const TAIL_KEYS = ['readHeaders', 'maxServices'];
export const DEFAULT_MAX_SERVICES = 16;
// Each watched service holds one core in the isolate's one wasm instance (its buffers bounded by
// limits.hpp); 64 of them stay well inside a Worker's 128 MB.
export const MAX_SERVICES = 64;
export const UNKNOWN_SERVICE = 'unknown_service';

// Returns { base, readHeaders, maxServices, fallbackService }: `base` is the edgescope config every
// per-service Telemetry starts from. Throws EdgescopeConfigError naming the field.
export function validateTailConfig(config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new EdgescopeConfigError('config', 'an object like { exporter } (edgescope/tail)', config);
  }
  const { readHeaders = false, maxServices = DEFAULT_MAX_SERVICES, ...base } = config;
  if (typeof readHeaders !== 'boolean') {
    throw new EdgescopeConfigError('readHeaders', 'true or false (read the unredacted request headers, for an incoming traceparent)', readHeaders);
  }
  if (!Number.isInteger(maxServices) || maxServices < 1 || maxServices > MAX_SERVICES) {
    throw new EdgescopeConfigError('maxServices', `an integer from 1 to ${MAX_SERVICES} (watched services kept at once)`, maxServices);
  }
  const fallbackService = base.service ?? UNKNOWN_SERVICE;
  // Validated now, with the fallback as its service, so a mistake fails at deploy (the first
  // tail() call for a config function), not at the first item of some service.
  validateConfig({ ...base, service: fallbackService });
  return { base, readHeaders, maxServices, fallbackService };
}
