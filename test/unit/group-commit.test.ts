import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { groupCommit, NotDurableError } from '../../src/store/groupCommit.ts';
import { durability } from '../../src/store/walSync.ts';
import { heldSync } from '../support/heldSync.ts';

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

/** Whether a promise has settled, without waiting for it. */
function tracked<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  const promise = p.finally(() => {
    done = true;
  });
  promise.catch(() => {});
  return { settled: () => done, promise };
}

describe('groupCommit: durable before it settles', () => {
  it('settles the units committed together only after one sync, which starts after their commit', async () => {
    const held = heldSync();
    const commit = groupCommit(db, durability(db, held.sync));
    const units = ['a', 'b', 'c'].map((k) => tracked(commit(insert(k))));
    await held.called(1);
    // Committed (another connection sees them) but not acknowledged: the sync has not finished.
    expect(stored()).toEqual(['a', 'b', 'c']);
    expect(units.map((u) => u.settled())).toEqual([false, false, false]);
    held.calls[0]?.release();
    expect(await Promise.all(units.map((u) => u.promise))).toEqual([1, 1, 1]);
    expect(held.calls).toHaveLength(1);
  });

  it('commits without SQLite’s own fsync (synchronous = NORMAL) and sets FULL back for every other write', async () => {
    const commit = groupCommit(
      db,
      durability(db, async () => {}),
    );
    const during = await commit(() => db.pragma('synchronous', { simple: true }));
    expect(during).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('units arriving while a batch waits for its sync commit together after it, and share the next sync', async () => {
    const held = heldSync();
    const commit = groupCommit(db, durability(db, held.sync));
    const first = tracked(commit(insert('a')));
    await held.called(1);
    // Two more arrive, in different turns of the event loop, while the first batch's sync runs.
    const second = tracked(commit(insert('b')));
    await new Promise((r) => setImmediate(r));
    const third = tracked(commit(insert('c')));
    await new Promise((r) => setImmediate(r));
    expect(stored()).toEqual(['a']);
    held.calls[0]?.release();
    expect(await first.promise).toBe(1);
    // Both committed once the first batch was durable, and made durable by one sync.
    await held.called(2);
    expect(stored()).toEqual(['a', 'b', 'c']);
    expect([second.settled(), third.settled()]).toEqual([false, false]);
    held.calls[1]?.release();
    expect(await Promise.all([second.promise, third.promise])).toEqual([1, 1]);
    expect(held.calls).toHaveLength(2);
  });

  it('a sync of other writes running meanwhile (the outbox) covers no batch that commits after it began', async () => {
    const held = heldSync();
    const shared = durability(db, held.sync);
    const commit = groupCommit(db, shared);
    const other = shared.durable();
    await held.called(1);
    const unit = tracked(commit(insert('a')));
    await new Promise((r) => setImmediate(r));
    expect(stored()).toEqual(['a']);
    held.calls[0]?.release();
    await other;
    await held.called(2);
    expect(unit.settled()).toBe(false);
    held.calls[1]?.release();
    expect(await unit.promise).toBe(1);
  });

  it('rejects every unit of a batch whose sync failed: nothing settles as stored that was not made durable', async () => {
    const held = heldSync();
    const commit = groupCommit(db, durability(db, held.sync));
    const results = Promise.allSettled([
      commit(insert('a')),
      commit(() => {
        throw new Error('refused');
      }),
    ]);
    await held.called(1);
    held.calls[0]?.fail(new Error('EIO: the disk said no'));
    const [stored1, refused] = await results;
    expect(stored1.status).toBe('rejected');
    // Told apart from a unit that could not be written: this one is stored, only not made durable.
    expect((stored1 as PromiseRejectedResult).reason).toBeInstanceOf(NotDurableError);
    expect(String((stored1 as PromiseRejectedResult).reason)).toContain('EIO');
    expect((refused as PromiseRejectedResult).reason).not.toBeInstanceOf(NotDurableError);
    // A unit that threw keeps its own error.
    expect(String((refused as PromiseRejectedResult).reason)).toContain('refused');
    // The next batch gets a sync of its own.
    const next = commit(insert('b'));
    await held.called(2);
    held.calls[1]?.release();
    expect(await next).toBe(1);
  });

  it('syncs the real write-ahead log by default, and needs no sync in memory', async () => {
    expect(await groupCommit(db)(insert('a'))).toBe(1);
    const memory = openDatabase(':memory:');
    try {
      memory.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
      const commit = groupCommit(memory);
      expect(await commit(() => memory.prepare('INSERT INTO t (k) VALUES (?)').run('m').changes)).toBe(1);
      expect(memory.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      memory.close();
    }
  });
});
