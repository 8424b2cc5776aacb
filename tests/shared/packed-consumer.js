// A user's project: the package as `npm pack` makes it, installed with npm into an empty folder,
// with the peer and tool packages a user adds (at the versions this checkout tests with, so npm
// takes them from its cache when it can). Returns the folder; the caller removes it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function packedConsumer({ withPackages = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-consumer-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The version installed here (read from the folder: some packages do not export package.json).
  const extra = withPackages.map((name) => `${name}@${JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version}`);
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`, ...extra], { cwd: dir, stdio: 'pipe' });
  return dir;
}
