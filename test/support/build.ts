// vitest globalSetup: `npm start` runs the build output (dist/), so the tests that start it need a build
// of the current sources. `npm install` / `npm ci` build through `prepare`; this rebuilds only when a
// source or build setting is newer than the build (an edit since), so a plain `npm test` stays correct.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Modification times of every file under `dir` (recursively). */
function mtimes(dir: string): number[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs);
}

export function buildIsStale(): boolean {
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'main.js'))) return true;
  const inputs = [
    ...mtimes(join(ROOT, 'src')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(ROOT, f)).mtimeMs),
  ];
  return Math.max(...inputs) > Math.min(...mtimes(dist));
}

export default function setup(): void {
  if (!buildIsStale()) return;
  const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}${res.stderr}`);
}
