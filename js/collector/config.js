// The collector's configuration, validated once when the Worker module loads (createCollector),
// so a deploy with a bad configuration fails on its first request in tests, not on a sender's.
//
// tokens: [{ name, token } | { name, secret }], at least one. `secret` names an env binding
//   holding the token (a wrangler secret: `wrangler secret put INGEST_TOKEN`), so tokens stay
//   out of the code; `token` is the literal value (local runs, tests). Several entries let a
//   token be rotated: add the new one, move the senders, delete the old secret. A `secret` entry
//   whose binding is absent is skipped (that is how a deleted secret retires its token).
// readTokens: the same form as `tokens`, for the query API and the dashboard's data (a sender's
//   token cannot read, a reader's cannot write). publicRead: true opens them to anyone instead
//   (a local run, or a deployment behind Cloudflare Access); without either, reads are refused.
// maxBodyBytes: the request body as sent (gzip or not), default 1 MiB.
// maxDecodedBytes: the body after gzip, default 8 MiB (a bound on a decompression bomb).
// database: the D1 binding's name, default 'DB'.
// retention: { spans, logs, metricPoints, rollupsMinute, rollupsHour, errorMinutes, errors,
//   alerts } periods like '7d' (storage/retention.js: defaults and what each one deletes).
// slos, alerting: SLO definitions and where their burn-rate alerts go (slo/config.js).
// rollup: the cron's per-run budget ({ pointsPerStep, maxPointsPerRun, maxQueriesPerRun,
//   maxRunMs, maxHours, maxMinuteRows, pageRows, maxDeletes }: scheduled.js).
import { EdgescopeConfigError } from '../config.js';
import { validateAlerting, validateSlos } from './slo/config.js';
import { validateRetention } from './storage/retention.js';
import { checkRetentionWindows } from './storage/retention.js';
import { validateRollup } from './scheduled.js';

const KNOWN = new Set(['tokens', 'readTokens', 'publicRead', 'maxBodyBytes', 'maxDecodedBytes', 'database', 'retention', 'slos', 'alerting', 'rollup']);
const MiB = 1024 * 1024;
// D1's binding names are JavaScript identifiers (wrangler's d1_databases[].binding).
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function byteCap(config, field, fallback) {
  const v = config[field];
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new EdgescopeConfigError(`collector.${field}`, 'a positive integer (bytes)', v);
  return v;
}

function tokenList(list, key = 'tokens') {
  if (!Array.isArray(list) || list.length === 0) {
    throw new EdgescopeConfigError(`collector.${key}`, 'a non-empty array of { name, token } or { name, secret }', list);
  }
  const names = new Set();
  return list.map((entry, i) => {
    const at = `collector.${key}[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new EdgescopeConfigError(at, '{ name, token } or { name, secret }', entry);
    for (const key of Object.keys(entry)) {
      if (!['name', 'token', 'secret'].includes(key)) throw new EdgescopeConfigError(`${at}.${key}`, 'absent (known keys: name, token, secret)', entry[key]);
    }
    if (typeof entry.name !== 'string' || entry.name === '') throw new EdgescopeConfigError(`${at}.name`, 'a non-empty string', entry.name);
    if (names.has(entry.name)) throw new EdgescopeConfigError(`${at}.name`, 'unique among the tokens', entry.name);
    names.add(entry.name);
    if ((entry.token === undefined) === (entry.secret === undefined)) {
      throw new EdgescopeConfigError(at, 'exactly one of `token` (the value) or `secret` (the env binding holding it)', entry);
    }
    if (entry.token !== undefined && (typeof entry.token !== 'string' || entry.token === '')) throw new EdgescopeConfigError(`${at}.token`, 'a non-empty string', entry.token);
    if (entry.secret !== undefined && (typeof entry.secret !== 'string' || !IDENTIFIER.test(entry.secret))) {
      throw new EdgescopeConfigError(`${at}.secret`, 'the name of an env binding', entry.secret);
    }
    return Object.freeze({ name: entry.name, token: entry.token, secret: entry.secret });
  });
}

export function validateCollectorConfig(config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new EdgescopeConfigError('collector', 'an object', config);
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) throw new EdgescopeConfigError(`collector.${key}`, `absent (known keys: ${[...KNOWN].join(', ')})`, config[key]);
  }
  const database = config.database ?? 'DB';
  if (typeof database !== 'string' || !IDENTIFIER.test(database)) throw new EdgescopeConfigError('collector.database', 'the name of a D1 binding', config.database);
  const maxBodyBytes = byteCap(config, 'maxBodyBytes', 1 * MiB);
  const maxDecodedBytes = byteCap(config, 'maxDecodedBytes', 8 * MiB);
  const publicRead = config.publicRead ?? false;
  if (typeof publicRead !== 'boolean') throw new EdgescopeConfigError('collector.publicRead', 'a boolean', config.publicRead);
  const readTokens = config.readTokens === undefined ? [] : tokenList(config.readTokens, 'readTokens');
  const retention = validateRetention(config.retention);
  const slos = validateSlos(config.slos);
  checkRetentionWindows(retention, slos);
  return Object.freeze({ tokens: tokenList(config.tokens), readTokens, publicRead, maxBodyBytes, maxDecodedBytes, database, retention, slos, alerting: validateAlerting(config.alerting), rollup: validateRollup(config.rollup) });
}
