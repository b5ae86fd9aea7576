import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { teamStore } from '../../src/store/teams.ts';

// The command-line tools as a person runs them, as child processes: help, and one clear line (no stack
// trace) for each way there is nothing to print. Exports of real data: test/integration/insights.test.ts.

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let teamhealthDb: string;

const run = (script: string, args: string[], env: Record<string, string> = {}) => {
  const res = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: res.status, out: res.stdout, err: res.stderr };
};
const exportCli = (args: string[], databasePath = teamhealthDb) =>
  run('scripts/export.ts', args, { DATABASE_PATH: databasePath, MIN_RESPONSES: '5' });

/** One line on stderr, nothing on stdout, no stack trace. */
const expectOneLine = (res: { out: string; err: string }): string => {
  expect(res.out).toBe('');
  const lines = res.err.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(res.err).not.toMatch(/\bat .*:\d+|SqliteError/);
  return lines[0] ?? '';
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-cli-'));
  teamhealthDb = join(dir, 'teamhealth.db');
  const db = openDatabase(teamhealthDb);
  const teams = teamStore(db);
  // A team with a lead but no closed round yet.
  const team = teams.create('fresh', 'UMGR', 'UTC', new Date('2026-01-05T10:00:00Z'));
  teams.setLead(team.id, 'ULEAD');
  db.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run export', () => {
  it('prints its usage for --help and -h, and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const res = exportCli([flag]);
      expect(res.status).toBe(0);
      expect(res.err).toBe('');
      expect(res.out).toMatch(/^Usage: npm run export -- \(--team <slug> \| --lead <SlackUserId>\)/);
      expect(res.out).toContain('--format json|csv');
      expect(res.out).toContain('rounded to 2 decimals');
    }
  });

  it('refuses an unknown option with the usage line, exit 2', () => {
    const res = exportCli(['--teams', 'x']);
    expect(res.status).toBe(2);
    expect(res.err).toContain('Usage: npm run export');
  });

  it('says in one line that a file is not a database, exit 1', () => {
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'these are notes, not a database\n'.repeat(200));
    const res = exportCli(['--team', 'fresh'], notDb);
    expect(res.status).toBe(1);
    expect(expectOneLine(res)).toBe(`export: ${notDb} is not a SQLite database (set DATABASE_PATH)`);
  });

  it("says in one line that a SQLite file is not teamhealth's, exit 1", () => {
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
    db.close();
    const res = exportCli(['--lead', 'ULEAD'], other);
    expect(res.status).toBe(1);
    expect(expectOneLine(res)).toContain(`${other} is a SQLite database but not teamhealth's`);
  });

  it('says in one line that there is no database, exit 1', () => {
    const res = exportCli(['--team', 'fresh'], join(dir, 'missing.db'));
    expect(res.status).toBe(1);
    expect(expectOneLine(res)).toContain('no database at');
  });

  it('says that someone who leads no team leads no team, exit 1', () => {
    const res = exportCli(['--lead', 'UNOBODY']);
    expect(res.status).toBe(1);
    expect(expectOneLine(res)).toBe('export: UNOBODY leads no team');
  });

  it('prints an empty export for a lead whose teams have not closed a round yet, exit 0', () => {
    const res = exportCli(['--lead', 'ULEAD']);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.out)).toEqual({
      lead: 'ULEAD',
      org: { teams: 0, responded: 0, means: null },
      teams: [],
    });
  });

  it('says there is no such team, exit 1', () => {
    const res = exportCli(['--team', 'nosuchteam']);
    expect(res.status).toBe(1);
    expect(expectOneLine(res)).toBe('export: there is no team called nosuchteam');
  });
});

describe('npm run demo', () => {
  it('prints its usage for --help and exits 0, without running the demo', () => {
    const res = run('scripts/demo.ts', ['--help']);
    expect(res.status).toBe(0);
    expect(res.err).toBe('');
    expect(res.out).toMatch(/^Usage: npm run demo/);
    expect(res.out).toContain('demo-data/teamhealth-demo.db');
    expect(res.out).toContain('demo-data/charts/');
    expect(res.out).not.toContain('━━');
  });

  it('refuses an unknown option with the usage line, exit 2', () => {
    const res = run('scripts/demo.ts', ['--weeks', '3']);
    expect(res.status).toBe(2);
    expect(res.err).toContain('Usage: npm run demo');
    expect(res.out).toBe('');
  });
});
