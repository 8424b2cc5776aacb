// The invocation's error records (the shape the classifier puts on scope.errorRecords; index.d.ts
// `ErrorRecord`), checked and grouped by fingerprint: one de-duplication item per fingerprint,
// with its count in this invocation. A record that does not have the shape is skipped (counted in
// stats().invalidRecords and logged once by the caller), never thrown into the handler.
import { MAX_CHANNEL_NAME, MAX_FINGERPRINT, MAX_NOTE_ITEMS, MAX_WINDOW_MS } from '../storage/alert-table.js';
import { SEVERITIES } from './fields.js';

export { MAX_CHANNEL_NAME, MAX_NOTE_ITEMS };

// null when fine, else what is wrong.
export function recordProblem(record) {
  if (record === null || typeof record !== 'object') return 'not an object';
  if (typeof record.fingerprint !== 'string' || record.fingerprint === '' || record.fingerprint.length > MAX_FINGERPRINT) {
    return `fingerprint must be a string of 1 to ${MAX_FINGERPRINT} characters`;
  }
  if (!SEVERITIES.includes(record.severity)) return `severity must be one of ${SEVERITIES.join(', ')}`;
  const rep = record.repeated;
  if (rep !== null && rep !== undefined) {
    if (typeof rep !== 'object' || !Number.isSafeInteger(rep.count) || rep.count < 1 || !Number.isSafeInteger(rep.windowMs) || rep.windowMs < 1 || rep.windowMs > MAX_WINDOW_MS || !SEVERITIES.includes(rep.severity)) {
      return `repeated must be null or { count >= 1, windowMs from 1 to ${MAX_WINDOW_MS}, severity }`;
    }
  }
  return null;
}

const RANK = { CRITICAL: 0, WARNING: 1, INFO: 2 };
export const moreSevere = (a, b) => (RANK[a.severity] <= RANK[b.severity] ? a : b);

// -> { groups: Map fingerprint -> [records], invalid: [problem...] }
export function groupRecords(records) {
  const groups = new Map();
  const invalid = [];
  for (const record of records) {
    const problem = recordProblem(record);
    if (problem) {
      invalid.push(problem);
      continue;
    }
    const list = groups.get(record.fingerprint);
    if (list) list.push(record);
    else groups.set(record.fingerprint, [record]);
  }
  return { groups, invalid };
}

// The de-duplication item for one fingerprint (alert-table.js `note`): the channels its severity
// routes to, and those of its `repeated` rule's severity once the fleet-wide count reaches it.
export function noteItem(fingerprint, list, routes) {
  const first = list.reduce(moreSevere);
  const rep = list.find((r) => r.repeated)?.repeated ?? null;
  const escalated = rep && rep.severity !== first.severity ? { atLeast: rep.count, channels: routes[rep.severity] } : null;
  return { fingerprint, count: list.length, windowMs: rep ? rep.windowMs : 0, channels: routes[first.severity], escalated };
}
