// What createAlerts().stats() reports, per isolate: every record and every alert is accounted for.
//   records         error records handed to the alerts
//   invalidRecords  records without the ErrorRecord shape (skipped)
//   overflow        distinct fingerprints past the MAX_NOTE_ITEMS of one invocation (skipped)
//   unrouted        fingerprints whose severity routes to no channel (INFO by default)
//   sent / failed / suppressed   per channel: delivered, not delivered, held back by the cooldown
//   stateFailures   invocations whose de-duplication request failed (alerts then fall back to a
//                   per-isolate cooldown: at most one per isolate per cooldown)
//   evicted         suppressed counts the object dropped when pruning (alert-table.js)
//   released        failed sends undone so the next occurrence alerts again (run.js TRANSIENT)
//   mismatched      settle() gave a severity routed differently from the object's escalation
export function newStats(channelNames) {
  const perChannel = () => Object.fromEntries(channelNames.map((name) => [name, 0]));
  const s = { records: 0, invalidRecords: 0, overflow: 0, unrouted: 0, stateFailures: 0, evicted: 0, mismatched: 0, resolved: 0, released: 0, sent: perChannel(), failed: perChannel(), suppressed: perChannel() };
  return {
    counts: s,
    snapshot: () => ({ ...s, sent: { ...s.sent }, failed: { ...s.failed }, suppressed: { ...s.suppressed } }),
  };
}
