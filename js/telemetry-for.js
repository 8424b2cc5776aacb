// One Telemetry per config per isolate for instrument() and the class wrappers (instrumentDurableObject,
// instrumentEntrypoint): every class wrapped with the same config object (or config function)
// shares one core, one export pipeline and one set of metric series, as one instrument() call
// does for its handler. A config function is evaluated once, with the env of the first invocation.
// Setup failures fail open (ARCHITECTURE.md, "Request lifecycle", step 1): null, logged once.
import { EdgescopeConfigError, validateConfig } from './config.js';
import { reportInternalFailure } from './internal-failures.js';
import { Telemetry } from './telemetry.js';

const byConfig = new WeakMap();

// Up front, as instrument() does: a bad config object fails at deploy, not at the first request.
export function checkConfig(config, caller) {
  if (typeof config === 'function') return;
  if (config === null || typeof config !== 'object') {
    throw new TypeError(`edgescope: ${caller} expects a config object or a function (env) => config as \`config\``);
  }
  validateConfig(config);
}

// The Telemetry for this invocation, or null when it is unavailable (the invocation then runs
// uninstrumented).
export function telemetryFor(config, env) {
  try {
    let telemetry = byConfig.get(config);
    if (!telemetry) {
      const resolved = typeof config === 'function' ? config(env) : config;
      if (resolved === undefined) throw new EdgescopeConfigError('config(env)', 'a function returning a config object', resolved);
      telemetry = new Telemetry(resolved);
      telemetry.exportLateRecords();
      byConfig.set(config, telemetry);
    }
    telemetry.beginInvocation();
    return telemetry;
  } catch (error) {
    reportInternalFailure('setup', error);
    return null;
  }
}
