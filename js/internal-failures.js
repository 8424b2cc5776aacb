// Failures of edgescope itself (a config function that throws, a trapped core, a bug). Telemetry
// fails open: the user's handler runs and its response is unchanged. Each failure is counted, and
// logged once per stage so a broken deployment says so without flooding the logs.
const counts = new Map();

export function reportInternalFailure(stage, error) {
  const seen = counts.get(stage) ?? 0;
  counts.set(stage, seen + 1);
  if (seen === 0) {
    console.error(
      `[edgescope] internal failure during ${stage}; the request continues without telemetry for that part ` +
        `(further failures of this kind are only counted in stats().internalFailures): ${error?.stack ?? error}`,
    );
  }
}

export function internalFailureCounts() {
  return Object.fromEntries(counts);
}
