// One invocation's alerts, inside its waitUntil (alert-invocation.js):
//   1. the records are grouped by fingerprint (records.js);
//   2. ONE request to the de-duplication object notes them all and answers, per fingerprint, the
//      fleet-wide occurrence count within its `repeated` window and, per channel, whether to send
//      now and how many occurrences were suppressed since the last alert (alert-table.js);
//   3. settle(occurrences) escalates the records whose `repeated` rule is met (the classifier's
//      settleErrors);
//   4. each channel the object said to send to gets its alert, all at once, with the HTTP
//      exporter's retry rules, inside `deadlineMs` and `maxSubrequests`;
//   5. only if a delivery failed for a reason that may pass (TRANSIENT), a second request
//      releases its send, so the next occurrence alerts again instead of the cooldown swallowing
//      the error; a refusal (4xx, bad credentials, a redirect, send_email refusing the address)
//      keeps the cooldown, so a broken channel costs one failed request per cooldown, not one
//      per error.
// Never rejects: a channel that fails is counted (stats().failed) and logged once per channel and
// reason; an unreachable object is counted (stateFailures), logged once, and the isolate falls
// back to its own cooldown (a few duplicates across isolates rather than silence).
import { createFlushContext } from '../exporters/flush-context.js';
import { alertFields } from './fields.js';
import { groupRecords, MAX_NOTE_ITEMS, moreSevere, noteItem } from './records.js';
import { reportOnce } from './report.js';

const MAX_FALLBACK_KEYS = 1000;

export async function runAlerts(config, stats, records, settle) {
  const counts = stats.counts;
  try {
    if (!Array.isArray(records) || records.length === 0) return null;
    counts.records += records.length;
    const { groups, invalid } = groupRecords(records);
    if (invalid.length) {
      counts.invalidRecords += invalid.length;
      reportOnce(stats, `invalid:${invalid[0]}`, `${invalid.length} error record(s) skipped: ${invalid[0]} (counted in stats().invalidRecords)`);
    }
    let fingerprints = [...groups.keys()];
    if (fingerprints.length > MAX_NOTE_ITEMS) {
      counts.overflow += fingerprints.length - MAX_NOTE_ITEMS;
      reportOnce(stats, 'overflow', `an invocation recorded ${fingerprints.length} distinct errors; alerts consider the first ${MAX_NOTE_ITEMS} (counted in stats().overflow)`);
      fingerprints = fingerprints.slice(0, MAX_NOTE_ITEMS);
    }
    const items = [];
    for (const fingerprint of fingerprints) {
      const item = noteItem(fingerprint, groups.get(fingerprint), config.routes);
      if (item.channels.length === 0 && !item.escalated?.channels.length && item.windowMs === 0) counts.unrouted++;
      else items.push(item);
    }
    const reply = items.length ? await note(config, stats, items) : { at: Date.now(), items: [] };
    const occurrences = new Map();
    for (const r of reply.items) if (r.occurrences !== null) occurrences.set(r.fingerprint, r.occurrences);
    const settled = settleRecords(stats, settle, occurrences, records);
    return await deliverAll(config, stats, reply, settled, occurrences);
  } catch (error) {
    reportOnce(stats, `internal:${error?.message}`, `alerts failed for this invocation: ${error?.stack ?? error}`);
    return null;
  }
}

async function note(config, stats, items) {
  try {
    const reply = await config.state.note({ cooldownMs: config.cooldownMs, items });
    stats.counts.evicted += reply.evicted ?? 0;
    return reply;
  } catch (error) {
    stats.counts.stateFailures++;
    reportOnce(stats, 'state', `the de-duplication object could not be reached (${error?.message ?? error}); this isolate alerts on its own cooldown until it answers (counted in stats().stateFailures)`);
    return fallbackDecisions(config, stats, items);
  }
}

// Without the object: one alert per fingerprint and channel per cooldown in this isolate.
function fallbackDecisions(config, stats, items) {
  const now = Date.now();
  const last = (stats.fallback ??= new Map());
  return {
    at: now,
    fallback: true,
    items: items.map((item) => {
      const channels = {};
      for (const channel of item.channels) {
        const key = `${item.fingerprint}\n${channel}`;
        const prior = last.get(key);
        const send = !prior || now - prior.at >= config.cooldownMs;
        channels[channel] = { send, suppressed: send ? (prior?.suppressed ?? 0) : prior.suppressed + item.count };
        last.delete(key);
        last.set(key, send ? { at: now, suppressed: 0 } : { at: prior.at, suppressed: channels[channel].suppressed });
        if (last.size > MAX_FALLBACK_KEYS) last.delete(last.keys().next().value);
      }
      return { fingerprint: item.fingerprint, occurrences: null, channels };
    }),
  };
}

function settleRecords(stats, settle, occurrences, records) {
  if (typeof settle !== 'function') return records;
  try {
    const out = settle(occurrences);
    return Array.isArray(out) ? out : records; // settleErrors may escalate the records in place
  } catch (error) {
    reportOnce(stats, 'settle', `settle() threw (${error?.message ?? error}); alerts use the records' severity as recorded`);
    return records;
  }
}

async function deliverAll(config, stats, reply, settled, occurrences) {
  const counts = stats.counts;
  const byFingerprint = new Map();
  for (const record of settled) {
    if (!record || typeof record.fingerprint !== 'string') continue;
    const list = byFingerprint.get(record.fingerprint);
    if (list) list.push(record);
    else byFingerprint.set(record.fingerprint, [record]);
  }
  const deadline = Date.now() + config.deadlineMs;
  const context = createFlushContext({ maxSubrequests: config.maxSubrequests });
  const jobs = [];
  for (const item of reply.items) {
    const list = byFingerprint.get(item.fingerprint);
    if (!list) continue;
    const record = list.reduce(moreSevere);
    const routed = new Set(config.routes[record.severity]);
    const decided = Object.keys(item.channels);
    if (decided.length !== routed.size || decided.some((c) => !routed.has(c))) {
      counts.mismatched++;
      reportOnce(stats, 'mismatch', `the settled severity ${record.severity} of ${item.fingerprint} routes to [${[...routed]}] but the de-duplication decided for [${decided}]; the decision is followed (counted in stats().mismatched)`);
    }
    for (const [channel, decision] of Object.entries(item.channels)) {
      if (!decision.send) {
        counts.suppressed[channel]++;
        continue;
      }
      const alert = alertFields(record, config, { occurrences: list.length, suppressed: decision.suppressed, fleetOccurrences: occurrences.get(item.fingerprint) ?? null });
      const id = `${safeId(item.fingerprint)}-${channel}-${reply.at}`;
      jobs.push(deliverOne(config, stats, channel, alert, { id, deadline, context }));
    }
  }
  const results = await Promise.all(jobs);
  await releaseFailed(config, stats, reply, results);
  return Object.fromEntries(results.map((r) => [`${r.channel} ${r.fingerprint}`, r]));
}

// post.js causes that say nothing about the request itself: no response, a 408/429/5xx, or not
// sent for lack of time or subrequests.
const TRANSIENT = new Set(['network', 'timeout', 'http', 'deadline', 'budget', 'subrequest-limit']);

async function releaseFailed(config, stats, { at, fallback }, results) {
  const failed = results.filter((r) => !r.ok && TRANSIENT.has(r.cause));
  if (failed.length === 0) return;
  if (fallback) {
    // Decided by this isolate's own cooldown (the object was unreachable): undone here.
    for (const r of failed) stats.fallback.set(`${r.fingerprint}\n${r.channel}`, { at: 0, suppressed: r.carried });
    stats.counts.released += failed.length;
    return;
  }
  const items = failed.map((r) => ({ fingerprint: r.fingerprint, channel: r.channel, at, count: r.carried }));
  try {
    const { released } = await config.state.release({ items });
    stats.counts.released += released;
  } catch (error) {
    stats.counts.stateFailures++;
    reportOnce(stats, 'state-release', `a failed alert's send could not be released (${error?.message ?? error}); its error waits for the cooldown (counted in stats().stateFailures)`);
  }
}

async function deliverOne(config, stats, channel, alert, how) {
  let result;
  try {
    result = await config.channels[channel].deliver(alert, how);
  } catch (error) {
    result = { ok: false, status: 0, cause: 'internal', error: error?.message ?? String(error) };
  }
  if (result.ok) stats.counts.sent[channel]++;
  else {
    stats.counts.failed[channel]++;
    reportOnce(stats, `fail:${channel}:${result.cause}:${result.status}`, `channel '${channel}' (${config.channels[channel].kind}) did not deliver the alert for ${alert.fingerprint}: ${result.error} (counted in stats().failed.${channel}; logged once per reason)`);
  }
  // What the alert carried, given back to the suppressed count if its send is released.
  return { channel, fingerprint: alert.fingerprint, carried: alert.suppressed + alert.occurrences, ...result };
}

// The Idempotency-Key alphabet (js/exporters/post.js).
const safeId = (text) => text.replace(/[^0-9A-Za-z_.-]/g, '_').slice(0, 160);

// alerts.resolve(fingerprint): the PagerDuty resolve on every pagerDuty channel, THEN every
// channel's cooldown of the fingerprint released in the shared state (alert-table.js `release`,
// `resolved`), so the error's next occurrence alerts again. PagerDuty Events API v2 de-duplication:
// a trigger whose dedup_key has no open incident opens a new one; with one open, it is added to it.
// In that order: a trigger another isolate sends between the two is released too (at worst one
// more alert, added to the incident it opened), while the other order could let such a trigger
// reach PagerDuty before the resolve that closes it, and the cooldown would then keep the error
// silent. Released whatever PagerDuty answered: the user said the error is over, so its return is
// news on every channel (duplicates, never silence).
export async function runResolve(config, stats, fingerprint) {
  const out = {};
  if (typeof fingerprint !== 'string' || fingerprint === '') {
    reportOnce(stats, 'resolve-arg', `resolve() takes the fingerprint of an error (got ${typeof fingerprint})`);
    return out;
  }
  const deadline = Date.now() + config.deadlineMs;
  const context = createFlushContext({ maxSubrequests: config.maxSubrequests });
  await Promise.all(
    Object.entries(config.channels)
      .filter(([, channel]) => channel.kind === 'pagerduty')
      .map(async ([name, channel]) => {
        const result = await channel.resolve(config.service, fingerprint, { id: `${safeId(fingerprint)}-${name}-resolve-${Date.now()}`, deadline, context }).catch((error) => ({ ok: false, status: 0, cause: 'internal', error: error?.message ?? String(error) }));
        if (result.ok) stats.counts.resolved++;
        else {
          stats.counts.failed[name]++;
          reportOnce(stats, `resolve:${name}:${result.cause}:${result.status}`, `channel '${name}' could not resolve ${fingerprint}: ${result.error} (counted in stats().failed.${name})`);
        }
        out[name] = result;
      }),
  );
  await releaseResolved(config, stats, fingerprint);
  return out;
}

async function releaseResolved(config, stats, fingerprint) {
  // This isolate's own cooldown (used while the object is unreachable) is released as well, its
  // suppressed counts kept.
  for (const channel of Object.keys(config.channels)) {
    const key = `${fingerprint}\n${channel}`;
    const prior = stats.fallback?.get(key);
    if (prior) stats.fallback.set(key, { at: 0, suppressed: prior.suppressed });
  }
  try {
    await config.state.release({ resolved: [fingerprint] });
  } catch (error) {
    stats.counts.stateFailures++;
    reportOnce(stats, 'state-resolve', `the cooldown of resolved ${fingerprint} could not be released (${error?.message ?? error}); its next occurrence alerts once the cooldown runs out (counted in stats().stateFailures)`);
  }
}
