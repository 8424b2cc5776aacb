// Replay may spend at most `share` of the flush's subrequests; the rest stays for the current export.
export function withSubrequestShare(context, share) {
  let used = 0;
  const budget = {
    take() {
      if (used >= share) return false;
      if (!context.budget.take()) return false;
      used++;
      return true;
    },
    exhaust(reason) {
      context.budget.exhaust(reason);
    },
    describe() {
      return used >= share ? `replay share of ${share} subrequest(s) used (buffer.replay.maxSubrequests)` : context.budget.describe();
    },
  };
  return { ...context, budget };
}

