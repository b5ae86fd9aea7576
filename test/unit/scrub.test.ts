import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { groupCommit } from '../../src/store/groupCommit.ts';
import { scrubAfterAnswer } from '../../src/store/scrub.ts';

let dir: string;
let path: string;
let db: Db;
/** What happened, in order: units run (`unit:k`) and WAL checkpoints (`checkpoint`). */
let events: string[];
const log = createLogger('error', () => {});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-scrub-'));
  path = join(dir, 'th.db');
  db = openDatabase(path);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  events = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: { simple?: boolean }) => {
    if (source.startsWith('wal_checkpoint')) events.push('checkpoint');
    return pragma(source, options);
  }) as Db['pragma'];
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const walBytes = (): number => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};
const settle = () => new Promise<void>((r) => setTimeout(r, 20));
const insert = (k: string) => () => {
  events.push(`unit:${k}`);
  db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
};

describe('scrubAfterAnswer', () => {
  it('empties the WAL once for the answers acknowledged together', async () => {
    const commit = groupCommit(db);
    await Promise.all(
      ['a', 'b', 'c'].map(async (k) => {
        await commit(insert(k));
        scrubAfterAnswer(db, log);
      }),
    );
    await settle();
    expect(events).toEqual(['unit:a', 'unit:b', 'unit:c', 'checkpoint']);
    expect(walBytes()).toBe(0);
  });

  it('lets answers already queued for their commit go first, then empties the WAL of them too', async () => {
    const commit = groupCommit(db);
    await commit(insert('a'));
    scrubAfterAnswer(db, log);
    // Arrives before the checkpoint has run: committed (and acknowledged) first.
    const late = commit(insert('b'));
    await late;
    scrubAfterAnswer(db, log);
    await settle();
    expect(events).toEqual(['unit:a', 'unit:b', 'checkpoint']);
    expect(walBytes()).toBe(0);
  });

  it('empties the WAL after every answer that comes on its own', async () => {
    const commit = groupCommit(db);
    for (const k of ['a', 'b']) {
      await commit(insert(k));
      scrubAfterAnswer(db, log);
      await settle();
      expect(walBytes()).toBe(0);
    }
    expect(events).toEqual(['unit:a', 'checkpoint', 'unit:b', 'checkpoint']);
  });
});
