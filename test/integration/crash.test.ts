// Crash safety, against the real process: `kill -9` at random points of a 200-invite fan-out, restart on
// the same database, and count what Slack received. Also: an acknowledged answer survives a kill -9.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckinToken } from '../../src/domain/ids.ts';
import { readOpenSlot, unsealAnswer } from '../../src/store/sealing.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { mulberry32 } from '../../tools/rng.ts';
import { interactionBody, postSigned, slashCommandBody, viewSubmissionPayload } from '../../tools/signing.ts';
import { checkinTokenIn, checkinValues } from '../support/harness.ts';
import type { AppProcess } from '../support/process.ts';
import { freePort, startProcess } from '../support/process.ts';

const SECRET = 'crash-secret';
const TEAM_SIZE = 200;
const TRIALS = 10;
const MEMBERS = Array.from({ length: TEAM_SIZE }, (_, i) => `U${String(i + 1).padStart(4, '0')}`);

const SEED = Number(process.env.CRASH_SEED ?? 20240601);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeSlack;
let dir: string;
let dbPath: string;
let url: string;
let env: Record<string, string>;
let app: AppProcess | undefined;
let replies = 0;

async function boot(): Promise<AppProcess> {
  const p = startProcess(env);
  await p.waitForOutput(/listening on port/);
  return p;
}

async function command(userId: string, text: string): Promise<string> {
  const id = `crash-${++replies}`;
  const res = await postSigned(url, slashCommandBody({ text, userId, responseUrl: fake.responseUrl(id) }), {
    secret: SECRET,
  });
  expect(res.status).toBe(200);
  const calls = await fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id), 15_000);
  return String(calls.find((c) => c.responseUrlId === id)?.body.text ?? '');
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const roundOf = (slug: string): number =>
  query<{ id: number }>(
    'SELECT r.id FROM rounds r JOIN teams t ON t.id = r.team_id WHERE t.slug = ? AND r.closed_at IS NULL',
    slug,
  )[0]?.id ?? -1;

/** Check-in DMs Slack accepted for this round, per person (a kill leaves the call recorded, as Slack would). */
function invitesOfRound(roundId: number): Map<string, number> {
  const perUser = new Map<string, number>();
  for (const c of fake.callsTo('chat.postMessage')) {
    if (c.failed || !JSON.stringify(c.body.blocks ?? []).includes(`"value":"${roundId}"`)) continue;
    if (!JSON.stringify(c.body.blocks).includes('checkin_open')) continue;
    const user = String(c.body.channel);
    perUser.set(user, (perUser.get(user) ?? 0) + 1);
  }
  return perUser;
}

async function waitForDrain(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = query<{ n: number }>(
      "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')",
    );
    if (row?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox not drained: ${row?.n} left\n${app?.output()}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  // A little latency per call, like Slack's: the kill lands inside a call as often as between two.
  fake = await startFakeSlack({ latencyMs: 3 });
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-crash-'));
  dbPath = join(dir, 'crash.db');
  const port = await freePort();
  url = `http://127.0.0.1:${port}/slack/events`;
  env = {
    SLACK_BOT_TOKEN: 'xoxb-crash',
    SLACK_SIGNING_SECRET: SECRET,
    PORT: String(port),
    DATABASE_PATH: dbPath,
    SLACK_API_URL: fake.url,
    // The fake limits nothing: send as fast as one call at a time allows, so kills land mid fan-out.
    SLACK_POSTMESSAGE_PER_MINUTE: '0',
    SLACK_UPDATE_PER_MINUTE: '0',
    ADMIN_USER_IDS: 'UADMIN',
  };
  app = await boot();
  const mentions = MEMBERS.map((u) => `<@${u}|${u.toLowerCase()}>`).join(' ');
  // An admin adds them, so they are members at once (issue 8). Their welcome DMs go out before the
  // trials, without the latency, so every kill lands in a fan-out of check-ins.
  fake.setLatency(0);
  for (let t = 1; t <= TRIALS; t++) {
    expect(await command('UMGR', `team create crash-${t}`)).toContain('Created');
    expect(await command('UADMIN', `team add crash-${t} ${mentions}`)).toContain(`${TEAM_SIZE} members`);
  }
  await waitForDrain(60_000);
  fake.setLatency(3);
}, 120_000);

afterAll(async () => {
  if (app && app.child.exitCode === null && app.child.signalCode === null) {
    app.child.kill('SIGKILL');
    await app.exit();
  }
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 during a fan-out of 200 check-ins', () => {
  it(`sends every invitee exactly one DM, repeating at most the one in flight at each kill (${TRIALS} trials)`, async () => {
    const random = mulberry32(SEED);
    let duplicates = 0;
    for (let t = 1; t <= TRIALS; t++) {
      const slug = `crash-${t}`;
      const before = fake.callsTo('chat.postMessage').length;
      expect(await command('UMGR', `checkin ${slug}`)).toContain(`${TEAM_SIZE} check-ins on the way`);
      const roundId = roundOf(slug);
      // Kill after a random number of DMs went out, then a random moment inside the next call.
      const killAfter = Math.floor(random() * TEAM_SIZE);
      const jitterMs = random() * 4;
      await fake.waitFor(
        (cs) => cs.filter((c) => c.method === 'chat.postMessage').length - before >= killAfter,
      );
      if (jitterMs > 0) await sleep(jitterMs);
      const running = app as AppProcess;
      running.child.kill('SIGKILL');
      const { signal } = await running.exit();
      expect(signal).toBe('SIGKILL');
      const sentAtKill = fake.callsTo('chat.postMessage').length - before;

      app = await boot();
      await waitForDrain();
      const perUser = invitesOfRound(roundId);
      const counts = MEMBERS.map((u) => perUser.get(u) ?? 0);
      const trialDuplicates = counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
      expect(
        counts.filter((n) => n === 0),
        `trial ${t} (seed ${SEED}): someone got no check-in`,
      ).toEqual([]);
      expect(trialDuplicates, `trial ${t}: killed after ${sentAtKill} DMs`).toBeLessThanOrEqual(1);
      expect([...perUser.keys()].every((u) => MEMBERS.includes(u))).toBe(true);
      // Every invite learned its DM (for the recorded notice), even the one in flight at the kill.
      const [unknownDm] = query<{ n: number }>(
        'SELECT count(*) AS n FROM invites WHERE round_id = ? AND dm_ts IS NULL',
        roundId,
      );
      expect(unknownDm?.n).toBe(0);
      duplicates += trialDuplicates;
      if (process.env.CRASH_VERBOSE)
        console.log(`trial ${t}: kill after ${sentAtKill} DMs, ${trialDuplicates} repeated`);
    }
    expect(duplicates).toBeLessThanOrEqual(TRIALS);
  }, 120_000);

  it('keeps an answer acknowledged with HTTP 200 just before a kill -9', async () => {
    const roundId = roundOf(`crash-${TRIALS}`);
    expect(roundId).toBeGreaterThan(0);
    const token = checkinTokenIn(fake, 'U0042', roundId);
    const payload = viewSubmissionPayload({
      userId: 'U0042',
      callbackId: 'checkin',
      privateMetadata: token,
      values: checkinValues(
        { energy: 2, boundaries: 3, ownership: 4, recognition: 5 },
        'kept through a crash',
      ),
    });
    const res = await postSigned(url, interactionBody(payload), { secret: SECRET });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const running = app as AppProcess;
    running.child.kill('SIGKILL');
    await running.exit();
    app = undefined;

    expect(
      query('SELECT answered FROM invites WHERE round_id = ? AND user_id = ?', roundId, 'U0042'),
    ).toEqual([{ answered: 1 }]);
    // On disk it is sealed (one answer is below the threshold); the key the member holds opens it.
    const key = parseCheckinToken(token)?.key as Buffer;
    const stored = query<{ body: Buffer }>(
      'SELECT body FROM answer_slots WHERE round_id = ? AND used = 1',
      roundId,
    );
    expect(stored.map((s) => readOpenSlot(s.body))).toEqual([null]);
    expect(stored.map((s) => unsealAnswer(s.body, key))).toEqual([
      {
        answers: { energy: 2, boundaries: 3, ownership: 4, recognition: 5 },
        note: 'kept through a crash',
        // What is kept of the note's reply secret (the secret itself went to the member's DM only).
        replyCheck: expect.any(Buffer),
      },
    ]);
  });
});
