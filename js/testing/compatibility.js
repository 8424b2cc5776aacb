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

// wrangler is an optional peer, needed only to read a wrangler configuration file
// (startWorker's `config`). The harness reads it through wrangler's own exports, so it follows
// what `wrangler dev` does; these are the exports it uses, checked by name so a wrangler that
// renamed them fails with a message rather than a TypeError deep inside startWorker.
export const WRANGLER_OLDEST = '4.164.0';
export const WRANGLER_RANGE = `>=${WRANGLER_OLDEST} <5`;
export const WRANGLER_EXPORTS = Object.freeze(['unstable_readConfig', 'unstable_getMiniflareWorkerOptions']);

export function checkWranglerVersion(version) {
  if (!versionAtLeast(version, WRANGLER_OLDEST, 4)) {
    throw new Error(
      `edgescope/testing reads wrangler configuration with wrangler ${WRANGLER_RANGE}, but found wrangler ${version}: install a supported version (npm install --save-dev wrangler@4)`,
    );
  }
}

export function checkWranglerExports(module, version) {
  const missing = WRANGLER_EXPORTS.filter((name) => typeof module?.[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`wrangler ${version} does not export ${missing.join(', ')}, which edgescope/testing reads the configuration with (supported: wrangler ${WRANGLER_RANGE})`);
  }
}

// `major.minor.patch` at least `oldest`, within the same major version.
function versionAtLeast(version, oldest, major) {
  const parts = String(version).split('.').map((p) => Number.parseInt(p, 10));
  const floor = oldest.split('.').map(Number);
  if (parts.length < 3 || !parts.every(Number.isFinite) || parts[0] !== major) return false;
  for (let i = 0; i < 3; i++) if (parts[i] !== floor[i]) return parts[i] > floor[i];
  return true;
}

// A peer dependency the harness needs for one job (esbuild to bundle, miniflare to run, wrangler
// to read a configuration file), imported when that job comes up. A missing one is an error
// naming the package and the command that installs it, not Node's bare ERR_MODULE_NOT_FOUND.
// `specifier` may differ from `name` (a path, for a copy under test).
export async function importPeer(name, purpose, { specifier = name, install = name } = {}) {
  try {
    return await import(specifier);
  } catch (error) {
    if (isMissing(error, specifier)) {
      throw new Error(`edgescope/testing needs ${name} ${purpose}: npm install --save-dev ${install} (${error.message})`);
    }
    throw error;
  }
}

// Only the package itself being absent counts as missing: a package that is installed but fails
// to load (one of its own dependencies missing) keeps its own error.
function isMissing(error, specifier) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'MODULE_NOT_FOUND') return false;
  const message = String(error.message);
  return message.includes(`package '${specifier}'`) || message.includes(`module '${specifier}'`);
}
