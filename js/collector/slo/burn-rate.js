// Burn-rate arithmetic for SLOs, pure: counts in, numbers and decisions out (no clock, no I/O).
// The rules are the Google SRE Workbook's "Alerting on SLOs", recommendation 6 (multiwindow,
// multi-burn-rate alerts), for a 30-day compliance window:
//   page   when the 1 h AND the 5 m burn rate are >= 14.4  (2% of a 30-day budget in 1 hour),
//          or the 6 h AND the 30 m burn rate are >= 6      (5% of the budget in 6 hours);
//   ticket when the 3 d AND the 6 h burn rate are >= 1      (10% of the budget in 3 days).
// The long window says the burn is significant; the short one (1/12 of it) says it is still
// happening, so an alert resolves within minutes of the errors stopping.
//
// burn rate = (bad / total) / (1 - objective): 1 spends exactly the whole budget over the
// compliance window, 14.4 spends 14.4 hours' worth of a 720-hour budget every hour.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// The windows an evaluation reads, by the names /api/slos reports them under.
export const BURN_WINDOWS = Object.freeze({ '5m': 5 * MINUTE, '30m': 30 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '3d': 3 * DAY });

export const RULES = Object.freeze([
  Object.freeze({ severity: 'page', long: '1h', short: '5m', burnRate: 14.4 }),
  Object.freeze({ severity: 'page', long: '6h', short: '30m', burnRate: 6 }),
  Object.freeze({ severity: 'ticket', long: '3d', short: '6h', burnRate: 1 }),
]);

// 1 - 0.999 is 0.0010000000000000009 in binary floating point, so the workbook's exact case
// (144 bad of 10,000 at 99.9%: burn rate 14.4) computes as 14.39999999999999. A threshold is met
// within one part in 10^9, far below anything the counts can resolve.
const TOLERANCE = 1e-9;
const meets = (rate, threshold) => rate >= threshold * (1 - TOLERANCE);

// No requests burn nothing: 0, so an idle service never alerts.
export function burnRate({ good, total }, objective) {
  if (!(total > 0)) return 0;
  return (total - good) / total / (1 - objective);
}

// good / total over the compliance window; null with no requests (nothing to judge: reported as
// such, not as 100% or 0%).
export function compliance({ good, total }) {
  return total > 0 ? good / total : null;
}

// 1 - bad / (total * (1 - objective)): the share of the window's error budget not yet spent;
// negative once it is overspent; 1 with no requests (nothing spent).
export function errorBudgetRemaining({ good, total }, objective) {
  if (!(total > 0)) return 1;
  return 1 - (total - good) / (total * (1 - objective));
}

// rates: { '5m', '30m', '1h', '6h', '3d' } -> { page: rule|null, ticket: rule|null, status }.
// The rule returned is the first whose both windows meet its threshold (what the alert names).
export function decide(rates) {
  const met = (severity) => RULES.find((r) => r.severity === severity && meets(rates[r.long], r.burnRate) && meets(rates[r.short], r.burnRate)) ?? null;
  const page = met('page');
  const ticket = met('ticket');
  return { page, ticket, status: page ? 'page' : ticket ? 'ticket' : 'ok' };
}

// counts: { window name -> { good, total } } for every BURN_WINDOWS entry, plus `compliance`
// (the SLO's whole window). -> what /api/slos reports and the alerts decide from.
export function assess(counts, objective) {
  const burnRates = {};
  for (const name of Object.keys(BURN_WINDOWS)) burnRates[name] = burnRate(counts[name] ?? { good: 0, total: 0 }, objective);
  const whole = counts.compliance ?? { good: 0, total: 0 };
  return {
    good: whole.good,
    total: whole.total,
    compliance: compliance(whole),
    errorBudgetRemaining: errorBudgetRemaining(whole, objective),
    burnRates,
    ...decide(burnRates),
  };
}
