// A round key lives in memory and in the members' DMs, never on disk. Across a restart, answers sealed
// under it stay durable, the app reads the key back from one of the round's DMs in Slack, check-ins that
// had not gone out resume, and the answer that reaches the threshold opens all of them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckinToken } from '../../src/domain/ids.ts';
import { createServices, type Runtime } from '../../src/services.ts';
import { submitCheckin } from '../../src/usecases/checkin.ts';
import { closeRound, openRound } from '../../src/usecases/rounds.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { walOf } from '../support/dbFiles.ts';
import { buttonsIn, captureLog, checkinTokenIn, drainOutbox, testConfig } from '../support/harness.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const answers = { energy: 2, boundaries: 3, ownership: 4, recognition: 5 } as const;

let dir: string;
let fake: FakeSlack;
const runtimes: Runtime[] = [];

async function boot(): Promise<Runtime> {
  const config = testConfig(fake, join(dir, 'th.db'), {
    SLACK_SIGNING_SECRET: 'secret',
    PORT: '0',
    ADMIN_USER_IDS: 'UADMIN',
  });
  const runtime = await createServices(config, captureLog().log);
  await runtime.start();
  runtimes.push(runtime);
  return runtime;
}

afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.stop().catch(() => {});
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets the worker send what it can, until only deliveries waiting to retry are left. */
async function drainUntilOnlyRetriesLeft(runtime: Runtime): Promise<void> {
  await until('the sendable deliveries', () => {
    const rows = runtime.services.db
      .prepare(
        "SELECT count(*) AS n FROM outbox WHERE status = 'sending' OR (status = 'pending' AND attempts = 0)",
      )
      .get() as { n: number };
    runtime.worker.kick();
    return rows.n === 0 ? true : undefined;
  });
}

/** A first process, with a team of MEMBERS whose round it has just opened. */
async function firstWithOpenRound(slug: string) {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-keys-'));
  fake = await startFakeSlack();
  const first = await boot();
  const s1 = first.services;
  const team = s1.teams.create(slug, 'UMGR', 'UTC', new Date());
  s1.teams.addMembers(team.id, MEMBERS);
  const opened = openRound(s1, team, new Date());
  if (!opened.ok) throw new Error(opened.reason);
  return { first, s1, opened };
}

describe('round keys across a restart', () => {
  it('keeps sealed answers, reads the key back from a DM, resumes check-ins and opens the answers at the threshold', async () => {
    const { first, opened } = await firstWithOpenRound('keys');
    const roundId = opened.round.id;
    // Half the check-ins go out before the "crash"; Slack fails the other half for now (they stay queued).
    for (const u of MEMBERS.slice(3)) fake.failForChannel(u, 'internal_error');
    await drainUntilOnlyRetriesLeft(first);
    const tokens = new Map(MEMBERS.slice(0, 3).map((u) => [u, checkinTokenIn(fake, u, roundId)]));
    await first.stop();
    fake.reset();

    // The first process is gone with the key, and nothing on disk holds it.
    const key1 = parseCheckinToken(tokens.get('U01'))?.key as Buffer;
    expect(readFileSync(join(dir, 'th.db')).includes(key1)).toBe(false);

    // A process that never saw the key reads it back from a DM that went out, and the queued check-ins
    // go out with it.
    const second = await boot();
    const s2 = second.services;
    const key = await until('the key read back from Slack', () => s2.keys.get(roundId));
    expect(key).toEqual(key1);
    await drainOutbox(second);
    for (const u of MEMBERS.slice(3)) {
      expect(fake.dmsTo(u), u).toHaveLength(1);
      tokens.set(u, checkinTokenIn(fake, u, roundId));
    }
    for (const u of MEMBERS) expect(parseCheckinToken(tokens.get(u))?.key, u).toEqual(key1);

    // Four answers below the threshold of five: sealed. Then a third process, and the fifth opens them all.
    for (const u of MEMBERS.slice(0, 4)) {
      const token = parseCheckinToken(tokens.get(u));
      if (!token) throw new Error('no token');
      expect(submitCheckin(s2, token, u, answers, `from ${u}`, new Date())).toEqual({ ok: true });
    }
    await second.stop();
    const third = await boot();
    const s3 = third.services;
    const token = parseCheckinToken(tokens.get('U05'));
    if (!token) throw new Error('no token');
    expect(submitCheckin(s3, token, 'U05', answers, 'from U05', new Date())).toEqual({ ok: true });
    const round = s3.rounds.byId(roundId);
    expect(round?.answersOpen).toBe(true);
    expect(closeRound(s3, round ?? opened.round, new Date())).toBe(true);
    const tally = s3.rounds.tally(roundId);
    expect(tally).toMatchObject({ shown: true, responded: 5, invited: 6 });
    expect(tally?.distributions.energy).toEqual([0, 5, 0, 0, 0]);
    expect(
      s3.notes
        .forRound(roundId)
        .map((n) => n.text)
        .sort(),
    ).toEqual(MEMBERS.slice(0, 5).map((u) => `from ${u}`));
  });
});

describe('a note reply secret across a restart', () => {
  it('is lost with the process when its DM had not gone out: the DM goes without the button, nothing on disk held it', async () => {
    const { first, s1, opened } = await firstWithOpenRound('replies');
    await drainOutbox(first);
    const token = parseCheckinToken(checkinTokenIn(fake, 'U01', opened.round.id));
    if (!token) throw new Error('no token');
    // Slack fails the "recorded" update for now: it is still queued when the process stops.
    fake.failNext('chat.update', { status: 503 }, 5);
    expect(submitCheckin(s1, token, 'U01', answers, 'the pager again', new Date())).toEqual({ ok: true });
    const tried = await until('the first try of the update', () =>
      fake.calls.find((c) => c.method === 'chat.update'),
    );
    const secret = buttonsIn(tried.body, 'note_thread')[0]?.value.split('.')[1] ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await first.stop();
    fake.reset();

    const second = await boot();
    await drainOutbox(second);
    const updates = fake.calls.filter((c) => c.method === 'chat.update' && c.body.channel === 'DU01');
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]?.body)).toContain('recorded anonymously');
    expect(buttonsIn(updates[0]?.body ?? {}, 'note_thread')).toEqual([]);
    const files = Buffer.concat([readFileSync(join(dir, 'th.db')), walOf(join(dir, 'th.db'))]);
    expect(files.includes(secret)).toBe(false);
    expect(files.includes(Buffer.from(secret, 'base64url'))).toBe(false);
  });
});
