import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies point one way: domain ← store, messages ← use cases ← slack, jobs ← composition root.
// This reads every import under src/ and fails when a lower layer reaches up, or production code
// reaches into test tooling.

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

type Layer = 'domain' | 'base' | 'store' | 'messages' | 'usecases' | 'slack' | 'jobs' | 'root';

/** What each layer may import from src/ (besides itself). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: [],
  // config, the logger and the timer: read by everything but the pure domain.
  base: ['domain'],
  store: ['domain', 'base'],
  messages: ['domain'],
  usecases: ['domain', 'base', 'store', 'messages'],
  slack: ['domain', 'base', 'store', 'messages', 'usecases'],
  jobs: ['domain', 'base', 'store', 'messages', 'usecases'],
  root: ['domain', 'base', 'store', 'messages', 'usecases', 'slack', 'jobs'],
};

function layerOf(file: string): Layer {
  const rel = relative(SRC, file).split('/');
  const top = rel[0] ?? '';
  if (rel.length > 1) {
    if (['domain', 'store', 'messages', 'usecases', 'slack', 'jobs'].includes(top)) return top as Layer;
    throw new Error(`src/${top}/ is not a known layer: add it to the layer test`);
  }
  if (top === 'config.ts' || top === 'log.ts' || top === 'timer.ts' || top === 'slices.ts') return 'base';
  // The Services bundle the use cases receive: config, logger and stores.
  if (top === 'context.ts') return 'store';
  return 'root';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT =
  /^\s*(?:import|export)\b[^'";]*?(?:from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '').filter((p) => p.startsWith('.'));
}

const files = sourceFiles(SRC);

describe('layers', () => {
  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(importsOf(join(SRC, 'services.ts')).length).toBeGreaterThan(5);
  });

  it('points every import in src/ one way: domain ← store, messages ← use cases ← adapters ← main', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of importsOf(file)) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(`${SRC}/`)) {
          wrong.push(
            `${relative(ROOT, file)} imports ${spec}, outside src/ (test tooling stays out of production)`,
          );
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !MAY_IMPORT[from].includes(to)) {
          wrong.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the domain free of Slack, SQL and the clock', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'domain')
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return (
          /from ['"](@slack\/|better-sqlite3|node:)/.test(text) || /new Date\(\)|Date\.now\(\)/.test(text)
        );
      })
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('keeps Block Kit builders free of Bolt', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'messages' && /from ['"]@slack\/bolt['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
