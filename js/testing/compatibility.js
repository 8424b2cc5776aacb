// The Workers runtime the harness targets. DEFAULT_COMPATIBILITY_DATE is the newest date the
// supported Miniflare's workerd accepts (workerd refuses a date after its own build), so tests
// run against today's runtime behaviour unless a Worker asks for an older one.
// MINIFLARE_RANGE is the range `startWorker` accepts (package.json peerDependencies agrees; the
// compatibility check in scripts/compat.sh runs the workerd suite at both ends of it).
export const DEFAULT_COMPATIBILITY_DATE = '2026-07-30';
export const MINIFLARE_OLDEST = '4.20260401.0';
export const MINIFLARE_RANGE = `>=${MINIFLARE_OLDEST} <5`;

// The date a Worker runs on when it does not say: DEFAULT_COMPATIBILITY_DATE, or the newest the
// running Miniflare's workerd supports when that is older (an older supported Miniflare refuses
// later dates).
export function defaultCompatibilityDate(miniflare) {
  const supported = miniflare?.supportedCompatibilityDate;
  return typeof supported === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(supported) && supported < DEFAULT_COMPATIBILITY_DATE ? supported : DEFAULT_COMPATIBILITY_DATE;
}

// Miniflare 4 versions are 4.<workerd date>.<patch>: a numeric comparison of the three parts.
export function checkMiniflareVersion(version) {
  const parts = String(version).split('.').map((p) => Number.parseInt(p, 10));
  const oldest = MINIFLARE_OLDEST.split('.').map(Number);
  const valid = parts.length >= 3 && parts.every(Number.isFinite);
  let older = false;
  if (valid) {
    for (let i = 0; i < 3; i++) {
      if (parts[i] !== oldest[i]) {
        older = parts[i] < oldest[i];
        break;
      }
    }
  }
  if (!valid || older || parts[0] !== 4) {
    throw new Error(
      `edgescope/testing supports miniflare ${MINIFLARE_RANGE}, but found miniflare ${version}: install a supported version (npm install --save-dev miniflare@4)`,
    );
  }
}
