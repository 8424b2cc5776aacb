// Type-checking a snippet against the package's declarations with the project's own tsc, as a
// user's strict TypeScript project would: the type tests' one way to ask "does this compile?".
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash: snippets import `${ROOT}js/...`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARGS = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];

/**
 * null when `source` type-checks; otherwise tsc's report (the TSxxxx lines). With
 * `{ byPackageName: true }` the snippet is written inside the repository (test-output/, ignored by
 * git), where `'edgescope/...'` resolves through the package's own exports map and its "types".
 */
export function typeErrors(source, { byPackageName = false } = {}) {
  const base = byPackageName ? join(ROOT, 'test-output') : tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'edgescope-types-'));
  try {
    writeFileSync(join(dir, 'case.ts'), source);
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), [...ARGS, join(dir, 'case.ts')], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String(error.stdout || error.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
