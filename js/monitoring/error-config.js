// The `errors` option: how errors are classified (wasm/include/edgescope/monitoring/error_rules.hpp
// has the rule syntax and the built-in rules). Validated once, up front, all or nothing: the first
// problem is named by its path (`errors.rules[2].status`) and nothing is applied.
//
//   errors: { rules?: [rule, ...], defaults?: true, count?: true }
//     rules     tried in order before the built-in ones; the first that matches wins
//     defaults  false: only `rules` (an error no rule matches is INFO, category "other")
//     count     false: no `errors` counter from this Worker (classification, span attributes and
//               alerts stay) — for the combined setup, where a tail Worker counts the errors
//               (README "Which mode when"), so none is counted twice
//
// The JSON is checked here (JSON.parse and this file cost the module nothing) and crosses into the
// core in a packed text form (packRules), which the core reads again strictly.
import { checkKnownKeys, checkObject, EdgescopeConfigError, integerIn } from '../config.js';

const RULE_KEYS = ['name', 'message', 'status', 'route', 'binding', 'span', 'log', 'severity', 'category', 'repeated'];
// Packed field tags (error_rules.hpp), in the order they are written.
const PATTERN_TAGS = { name: 'n', message: 'm', route: 'r', binding: 'b', span: 'p', log: 'l' };
export const SEVERITIES = Object.freeze(['INFO', 'WARNING', 'CRITICAL']); // core order: 0, 1, 2
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const MAX_RULES = 256;
const MAX_PATTERNS = 32;
const MAX_PATTERN_BYTES = 256;
const MAX_CATEGORY_BYTES = 64;
const encoder = new TextEncoder();
// Control characters would break the packed form's lines and fields; no error name, route or
// message pattern needs them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

// Returns { rules: the user's rules, defaults, packed } (packed: what the core reads).
export function validateErrors(value) {
  if (value === undefined) return { rules: [], defaults: true, count: true, packed: '' };
  checkObject('errors', value, 'an object like { rules, defaults }');
  checkKnownKeys(value, ['rules', 'defaults', 'count'], 'errors');
  const count = value.count ?? true;
  if (typeof count !== 'boolean') throw new EdgescopeConfigError('errors.count', 'true or false', value.count);
  const defaults = value.defaults ?? true;
  if (typeof defaults !== 'boolean') throw new EdgescopeConfigError('errors.defaults', 'true or false', value.defaults);
  const rules = value.rules ?? [];
  if (!Array.isArray(rules) || rules.length > MAX_RULES) {
    throw new EdgescopeConfigError('errors.rules', `an array of at most ${MAX_RULES} rules`, value.rules);
  }
  const lines = rules.map((rule, i) => packRule(rule, `errors.rules[${i}]`));
  return { rules, defaults, count, packed: lines.join('\n') };
}

function packRule(rule, path) {
  checkObject(path, rule, 'an object like { name, severity, category }');
  checkKnownKeys(rule, RULE_KEYS, path);
  const fields = [];
  for (const key of ['name', 'message', 'status', 'route', 'binding', 'span', 'log']) {
    if (rule[key] === undefined) continue;
    if (key === 'status') fields.push(`h${statusRange(rule.status, `${path}.status`).join('-')}`);
    else for (const p of patterns(rule[key], `${path}.${key}`, key === 'log')) fields.push(PATTERN_TAGS[key] + p);
  }
  fields.push(`s${severity(rule.severity, `${path}.severity`)}`);
  const category = rule.category;
  if (typeof category !== 'string' || category === '' || encoder.encode(category).length > MAX_CATEGORY_BYTES || CONTROL.test(category)) {
    throw new EdgescopeConfigError(`${path}.category`, `a label of 1 to ${MAX_CATEGORY_BYTES} bytes without control characters`, category);
  }
  fields.push(`c${category}`);
  if (rule.repeated !== undefined) fields.push(`x${repeated(rule.repeated, `${path}.repeated`, SEVERITIES.indexOf(rule.severity))}`);
  return fields.join('\t');
}

function patterns(value, path, level) {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && (value.length === 0 || value.length > MAX_PATTERNS)) {
    throw new EdgescopeConfigError(path, `an array of 1 to ${MAX_PATTERNS} patterns`, value);
  }
  return list.map((p, i) => {
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (level) {
      if (!LEVELS.includes(p)) throw new EdgescopeConfigError(at, `one of ${LEVELS.join(', ')}`, p);
      return p;
    }
    if (typeof p !== 'string' || p === '' || encoder.encode(p).length > MAX_PATTERN_BYTES || CONTROL.test(p)) {
      throw new EdgescopeConfigError(at, `a pattern of 1 to ${MAX_PATTERN_BYTES} bytes without control characters ('*' and '?' make it a glob)`, p);
    }
    return p;
  });
}

function statusRange(value, path) {
  const match = typeof value === 'string' ? /^(\d{3})(?:-(\d{3}))?$/.exec(value) : null;
  const [lo, hi] = Number.isInteger(value) ? [value, value] : match ? [Number(match[1]), Number(match[2] ?? match[1])] : [NaN, NaN];
  if (!(lo >= 100 && hi <= 599 && lo <= hi)) {
    throw new EdgescopeConfigError(path, 'a status from 100 to 599 or a range like "400-499" (low <= high)', value);
  }
  return [lo, hi];
}

function severity(value, path) {
  const index = SEVERITIES.indexOf(value);
  if (index < 0) throw new EdgescopeConfigError(path, "'CRITICAL', 'WARNING' or 'INFO'", value);
  return index;
}

function repeated(value, path, ruleSeverity) {
  checkObject(path, value, 'an object like { count, windowMs, severity }');
  checkKnownKeys(value, ['count', 'windowMs', 'severity'], path);
  const count = integerIn(`${path}.count`, value.count, 2, 1e6);
  // A day: the shared state that counts occurrences (js/storage/alert-table.js MAX_WINDOW_MS)
  // keeps at most that much of a fingerprint's history.
  const windowMs = integerIn(`${path}.windowMs`, value.windowMs, 1, 86_400_000, 'a day');
  // Repetition only raises a severity: a rule that lowered it would stop paging exactly when an
  // error repeats.
  const raised = severity(value.severity, `${path}.severity`);
  if (ruleSeverity !== undefined && raised <= ruleSeverity) {
    throw new EdgescopeConfigError(`${path}.severity`, `a severity above the rule's own ${SEVERITIES[ruleSeverity]}`, value.severity);
  }
  return `${count},${windowMs},${raised}`;
}
