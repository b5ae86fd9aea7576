// An answer is acknowledged only once the sync that makes it durable has finished, and one whose sync
// failed is not acknowledged: the member is told to submit again, and that submission is acknowledged
// once a sync succeeds (the first answer, already stored, counts). (That answers committed together share
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

  /** The first submission of U03, whose sync fails; then the outbox settles and syncs are held again. */
  const firstSyncFails = async () => {
    const first = app.submit('U03', roundId, steady);
    await held.called(1);
    held.calls[0]?.fail(new Error('EIO: i/o error, fdatasync'));
    expect((await first).json).toMatchObject({ response_action: 'errors' });
    // The outbox's own syncs (its "recorded" DM) pass; from here on, the only sync is the next submission's.
    held.releaseAll(true);
    await app.drain();
    held.releaseAll(false);
    return held.calls.length;
  };
  const usedSlots = () =>
    (
      app.runtime.services.db
        .prepare('SELECT count(*) AS n FROM answer_slots WHERE round_id = ? AND used = 1')
        .get(roundId) as { n: number }
    ).n;

  it('acknowledges the submission after a failed sync once its own sync succeeds, keeping the first answer', async () => {
    const before = await firstSyncFails();
    expect(usedSlots()).toBe(1);

    // Submitting again, as told (with other answers): not "already answered", but the first one confirmed.
    let acked = false;
    const again = app
      .submit('U03', roundId, { energy: 1, boundaries: 1, ownership: 1, recognition: 1 })
      .then((res) => {
        acked = true;
        return res;
      });
    await held.called(before + 1);
    expect(acked).toBe(false);
    held.calls[before]?.release();
    expect(await again).toEqual({ status: 200, json: null });
    expect(usedSlots()).toBe(1);

    // From then on the invite is answered as any other: a third submission is refused as usual.
    held.releaseAll(true);
    const third = await app.submit('U03', roundId, steady);
    expect(JSON.stringify(third.json)).toContain('the first answer counts');
    expect(usedSlots()).toBe(1);
  });

  it('asks once more when the sync fails again', async () => {
    const before = await firstSyncFails();
    const again = app.submit('U03', roundId, steady);
    await held.called(before + 1);
    held.calls[before]?.fail(new Error('EIO: i/o error, fdatasync'));
    expect(JSON.stringify((await again).json)).toContain('Please submit it again');
    // And the one after that, with the disk back, is acknowledged.
    held.releaseAll(true);
    expect(await app.submit('U03', roundId, steady)).toEqual({ status: 200, json: null });
    expect(usedSlots()).toBe(1);
  });
});
