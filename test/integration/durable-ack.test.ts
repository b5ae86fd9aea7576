// An answer is acknowledged only once the sync that makes it durable has finished, and one whose sync
// failed is not acknowledged: the member is told to submit again. (That answers committed together share
// one sync is test/unit/group-commit.test.ts.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { type HeldSync, heldSync } from '../support/heldSync.ts';

const steady = { energy: 4, boundaries: 3, ownership: 5, recognition: 2 };

/** The app's WAL sync, held by the test. */
let held: HeldSync;

let app: TestApp;
let roundId: number;

beforeEach(async () => {
  held = heldSync();
  // The setup's own writes (the outbox's bookkeeping) are synced at once; the test holds the answers'.
  held.releaseAll(true);
  app = await startTestApp({}, {}, { walSync: held.sync });
  await app.command('UMGR', 'team create durable');
  await app.addMembers('UMGR', 'durable', '<@U01|u01> <@U02|u02> <@U03|u03>');
  await app.command('UMGR', 'checkin durable');
  await app.drain();
  const s = app.runtime.services;
  roundId = s.rounds.openFor(s.teams.bySlug('durable')?.id ?? -1)?.id ?? -1;
  held.releaseAll(false);
});
afterEach(async () => {
  held.releaseAll();
  await app.close();
});

describe('acknowledging an answer', () => {
  it('waits for the sync of the write-ahead log', async () => {
    let acked = 0;
    const answers = ['U01', 'U02'].map((u) =>
      app.submit(u, roundId, steady).then((res) => {
        acked++;
        return res;
      }),
    );
    await held.called(1);
    // Stored, and still not acknowledged: the sync has not finished.
    const answered = ['U01', 'U02'].filter((u) => app.runtime.services.rounds.invite(roundId, u)?.answered);
    expect(answered.length).toBeGreaterThan(0);
    expect(acked).toBe(0);
    held.releaseAll();
    expect(await Promise.all(answers)).toEqual([
      { status: 200, json: null },
      { status: 200, json: null },
    ]);
  });

  it('tells the member to submit again when the sync fails', async () => {
    const answer = app.submit('U03', roundId, steady);
    await held.called(1);
    held.calls[0]?.fail(new Error('EIO: i/o error, fdatasync'));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(res.json)).toContain('Please submit it again');
    expect(app.logs.some((l) => l.startsWith('error') && l.includes('EIO'))).toBe(true);
  });
});
