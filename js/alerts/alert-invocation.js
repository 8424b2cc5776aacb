// The finalize hook: the alerts of one invocation, handed to its waitUntil so they run after the
// response without delaying it (Workers: waitUntil work may run up to 30 s after the response).
//   alertInvocation(alerts, scope, records, { settle })
//     alerts   the createAlerts() result (instrument config key `alerts`)
//     scope    anything with ctx.waitUntil: the InvocationScope, or { ctx } outside instrument()
//     records  the invocation's error records (scope.errorRecords)
//     settle   (occurrences: Map fingerprint -> fleet-wide count) => records | void, the
//              classifier's escalation: (occ) => settleErrors(scope, occ)
// Returns the promise (also given to waitUntil); it never rejects. Nothing happens, and nothing is
// asked of the Durable Object, when the invocation recorded no error.
export function alertInvocation(alerts, scope, records, { settle } = {}) {
  if (!alerts || typeof alerts.run !== 'function' || !Array.isArray(records) || records.length === 0) return Promise.resolve(null);
  const work = alerts.run(records, settle);
  try {
    scope.ctx.waitUntil(work);
  } catch (error) {
    console.error(`[edgescope] alerts: ctx.waitUntil refused the alert work (${error?.message ?? error}); it runs, but the runtime may end it early`);
  }
  return work;
}
