import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { groupCommit } from '../../src/store/groupCommit.ts';

let dir: string;
let path: string;
let db: Db;
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-group-commit-'));
  path = join(dir, 'th.db');
  db = openDatabase(path);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  // A second connection, as another process holding the file would see it.
  other = new Database(path, { readonly: true });
});

afterEach(() => {
  other.close();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (k: string) => () => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).changes;
const stored = (): string[] =>
  (other.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);

describe('groupCommit', () => {
  it('commits units queued in the same turn in one transaction, and settles each after the commit', async () => {
    const commit = groupCommit(db);
    const settledAfterCommit: boolean[] = [];
    const visibleWhileRunning: string[][] = [];
    const all = ['a', 'b', 'c'].map((k) =>
      commit(() => {
        // Nothing of the batch is visible to another connection until the one commit at its end.
        visibleWhileRunning.push(stored());
        return insert(k)();
      }).then((changes) => {
        // Durable by the time the caller hears back: another connection already sees it.
        settledAfterCommit.push(stored().includes(k));
        return changes;
      }),
    );
    expect(await Promise.all(all)).toEqual([1, 1, 1]);
    expect(visibleWhileRunning).toEqual([[], [], []]);
    expect(settledAfterCommit).toEqual([true, true, true]);
  });

  it('rolls back only the unit that throws; the others commit and the caller gets the error', async () => {
    const commit = groupCommit(db);
    const results = await Promise.allSettled([
      commit(insert('a')),
      commit(() => {
        insert('b')();
        throw new Error('boom');
      }),
      commit(insert('a')), // a duplicate key: this unit alone fails
      commit(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(stored()).toEqual(['a', 'c']);
  });

  it('runs units in arrival order, each seeing what the ones before it wrote', async () => {
    const commit = groupCommit(db);
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((k) =>
        commit(() => {
          insert(k)();
          return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
        }),
      ),
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a unit queued after a batch was committed goes in the next transaction', async () => {
    const commit = groupCommit(db);
    await commit(insert('a'));
    expect(stored()).toEqual(['a']);
    await commit(() => {
      expect(stored()).toEqual(['a']);
      return insert('b')();
    });
    expect(stored()).toEqual(['a', 'b']);
  });

  it('rejects every unit of the batch when the database cannot commit', async () => {
    const commit = groupCommit(db);
    const pending = [commit(insert('a')), commit(insert('b'))];
    db.close();
    const results = await Promise.allSettled(pending);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
