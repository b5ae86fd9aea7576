import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffMs,
  classify,
  MAX_ATTEMPTS,
  type OutboxHooks,
  OutboxWorker,
  type SlackApi,
} from '../../src/jobs/outbox.ts';
import type { Logger } from '../../src/log.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { type OutboxRow, type OutboxStore, outboxStore } from '../../src/store/outbox.ts';
import { type Durability, durability } from '../../src/store/walSync.ts';
import { realTimer, type Timer } from '../../src/timer.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { heldSync } from '../support/heldSync.ts';
import { virtualClock } from '../support/virtualClock.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let fake: FakeSlack;
let dir: string;
let db: Db;
let outbox: OutboxStore;
let client: SlackApi;
let now: number;
let sent: Array<{ row: OutboxRow; result: Record<string, unknown> }>;
let failed: Array<{ row: OutboxRow; error: string }>;
let workers: OutboxWorker[];

const hooks: OutboxHooks = {
  onSent: (row, result) => {
    sent.push({ row, result });
  },
  onFailed: (row, error) => {
    failed.push({ row, error });
  },
};

function worker(
  opts: { idleMs?: number; timer?: Timer; slack?: SlackApi; durability?: Durability } = {},
): OutboxWorker {
  const w = new OutboxWorker({
    outbox,
    slack: opts.slack ?? client,
    hooks,
    transaction: (fn) => db.transaction(fn)(),
    log: silent,
    clock: () => new Date(now),
    idleMs: opts.idleMs ?? 20,
    ...(opts.timer && { timer: opts.timer }),
    ...(opts.durability && { durability: opts.durability }),
  });
  workers.push(w);
  return w;
}

/**
 * The failed row kept for a personal delivery: it names neither the person nor the message (issue 8:
 * no outbox row naming a person and a round outlives its delivery).
 */
const failedAs = (kind: string, round: number) => {
  const rows = db
    .prepare("SELECT key, status, attempts, last_error, payload, effect FROM outbox WHERE status = 'failed'")
    .all() as Array<{
    key: string;
    status: string;
    attempts: number;
    last_error: string | null;
    payload: string;
    effect: string | null;
  }>;
  expect(rows).toHaveLength(1);
  const r = rows[0];
  expect(r?.key).toMatch(new RegExp(`^failed:${kind}:${round}:[0-9a-f]{16}$`));
  expect(r?.payload).toBe('{}');
  expect(r?.effect).toBeNull();
  return r;
};

const row = (key: string) =>
  db.prepare('SELECT status, attempts, last_error, not_before FROM outbox WHERE key = ?').get(key) as
    | { status: string; attempts: number; last_error: string | null; not_before: number }
    | undefined;

/** Counts the worker's waits (its idle polls), on the real timer. */
function countingTimer(): { timer: Timer; waits: () => number } {
  let waits = 0;
  return {
    timer: (fn, ms) => {
      waits += 1;
      return realTimer(fn, ms);
    },
    waits: () => waits,
  };
}

/** The client, counting the calls Slack has answered (the worker goes on from there). */
function answeredCounting(): { slack: SlackApi; answered: () => number } {
  let answered = 0;
  return {
    slack: {
      apiCall: (method, args) =>
        client.apiCall(method, args).finally(() => {
          answered += 1;
        }),
    },
    answered: () => answered,
  };
}

// A deadline for what must happen soon, generous so that a loaded machine does not fail it.
const waitUntil = async (cond: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeAll(async () => {
  fake = await startFakeSlack();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-outbox-'));
  db = openDatabase(join(dir, 'th.db'));
  outbox = outboxStore(db);
  client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  }) as unknown as SlackApi;
  now = Date.parse('2025-06-02T08:00:00Z');
  sent = [];
  failed = [];
  workers = [];
});

afterEach(async () => {
  for (const w of workers) await w.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OutboxWorker delivery', () => {
  it('sends every queued row exactly once and removes it', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `U${i + 1}`);
    for (const u of users) {
      outbox.enqueue(
        `invite:1:${u}`,
        'chat.postMessage',
        { channel: u, text: `hi ${u}` },
        {
          kind: 'invite',
          roundId: 1,
          userId: u,
        },
      );
    }
    outbox.enqueue('closed:1:U1', 'chat.update', { channel: 'DU1', ts: '1.000001', text: 'closed' });
    const polls = countingTimer();
    const w = worker({ timer: polls.timer });
    w.start();
    await waitUntil(() => outbox.counts().pending === 0 && outbox.counts().sending === 0);
    // A few more idle polls must not send anything again.
    const idle = polls.waits();
    await waitUntil(() => polls.waits() >= idle + 3);
    await w.stop();

    for (const u of users) expect(fake.dmsTo(u), u).toHaveLength(1);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(fake.calls).toHaveLength(13);
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(sent.map((s) => s.row.key).sort()).toEqual(
      [...users.map((u) => `invite:1:${u}`), 'closed:1:U1'].sort(),
    );
    // The hook sees Slack's answer (the DM channel and ts to record on the invite).
    const first = sent.find((s) => s.row.key === 'invite:1:U1');
    expect(first?.result).toMatchObject({ ok: true, channel: 'DU1' });
    expect(typeof first?.result.ts).toBe('string');
    expect(failed).toEqual([]);
  });

  it('kick() sends a row queued while idle without waiting for the poll', async () => {
    // On a clock that never moves, only the kick can wake the worker.
    const time = virtualClock(now);
    const w = worker({ idleMs: 60_000, timer: time.timer });
    w.start();
    await waitUntil(() => time.pending() === 1);
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    w.kick();
    await fake.waitFor((calls) => calls.length === 1);
    await waitUntil(() => outbox.counts().sending === 0);
    expect(fake.dmsTo('U1')).toHaveLength(1);
  });

  it('resumes a row that was in flight when the process stopped, once', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    outbox.claimNext(new Date(now), []); // the previous process died here
    const polls = countingTimer();
    const w = worker({ timer: polls.timer });
    w.start();
    await fake.waitFor((calls) => calls.length === 1);
    await waitUntil(() => outbox.counts().sending === 0);
    const idle = polls.waits();
    await waitUntil(() => polls.waits() >= idle + 3);
    expect(fake.dmsTo('U1')).toHaveLength(1);
  });
});

describe('OutboxWorker rate limits', () => {
  it('a 429 pauses that method for Retry-After; the row goes after the wait without counting an attempt', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    outbox.enqueue('closed:1:U2', 'chat.update', { channel: 'DU2', ts: '1.2', text: 'closed' });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    const w = worker();

    expect(await w.sendOne()).toBe(true);
    expect(row('invite:1:U1')).toMatchObject({ status: 'pending', attempts: 0, not_before: now + 3000 });

    // Other methods keep going while chat.postMessage waits.
    expect(await w.sendOne()).toBe(true);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(await w.sendOne()).toBe(false);

    now += 2999;
    expect(await w.sendOne()).toBe(false);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    now += 1;
    expect(await w.sendOne()).toBe(true);
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(row('invite:1:U1')).toBeUndefined();
    expect(sent.find((s) => s.row.key === 'invite:1:U1')?.row.attempts).toBe(1);
  });

  it('a paused method also holds back rows queued after the 429', async () => {
    outbox.enqueue('a', 'chat.postMessage', { channel: 'U1', text: 'a' });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    const w = worker();
    await w.sendOne();
    outbox.enqueue('b', 'chat.postMessage', { channel: 'U2', text: 'b' });
    expect(await w.sendOne()).toBe(false);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    now += 2000;
    expect(await w.sendOne()).toBe(true);
    expect(await w.sendOne()).toBe(true);
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(fake.dmsTo('U2')).toHaveLength(1);
  });

  it('rate limits never use up the attempts: more 429s than MAX_ATTEMPTS still deliver', async () => {
    outbox.enqueue('a', 'chat.postMessage', { channel: 'U1', text: 'a' });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, MAX_ATTEMPTS + 2);
    const w = worker();
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      expect(await w.sendOne()).toBe(true);
      expect(row('a')).toMatchObject({ status: 'pending', attempts: 0 });
      now += 1000;
    }
    expect(await w.sendOne()).toBe(true);
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(failed).toEqual([]);
  });
});

describe('OutboxWorker permanent errors', () => {
  it.each(['account_inactive', 'user_not_found', 'cannot_dm_bot', 'channel_not_found', 'not_in_channel'])(
    '%s is final after one attempt',
    async (error) => {
      outbox.enqueue(
        'invite:1:U1',
        'chat.postMessage',
        { channel: 'U1', text: 'hi' },
        {
          kind: 'invite',
          roundId: 1,
          userId: 'U1',
        },
      );
      fake.failNext('chat.postMessage', { error });
      const w = worker();
      expect(await w.sendOne()).toBe(true);
      expect(row('invite:1:U1')).toBeUndefined();
      expect(failedAs('invite', 1)).toMatchObject({ status: 'failed', attempts: 1, last_error: error });
      expect(failed.map((f) => [f.row.key, f.error])).toEqual([['invite:1:U1', error]]);
      expect(sent).toEqual([]);
      now += 24 * 3_600_000;
      expect(await w.sendOne()).toBe(false);
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      expect(outbox.failed(10)).toEqual([
        {
          key: expect.stringMatching(/^failed:invite:1:[0-9a-f]{16}$/),
          method: 'chat.postMessage',
          attempts: 1,
          error,
        },
      ]);
    },
  );

  it('one unreachable person does not hold back the others', async () => {
    fake.failForChannel('U2', 'account_inactive');
    for (const u of ['U1', 'U2', 'U3'])
      outbox.enqueue(`invite:1:${u}`, 'chat.postMessage', { channel: u, text: 'hi' });
    const w = worker();
    while (await w.sendOne()) {}
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(fake.dmsTo('U3')).toHaveLength(1);
    expect(row('invite:1:U2')).toBeUndefined();
    expect(failedAs('invite', 1)?.last_error).toBe('account_inactive');
  });
});

describe('OutboxWorker transient errors', () => {
  it(`a 500 is retried with growing waits and given up after ${MAX_ATTEMPTS} attempts`, async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    fake.failNext('chat.postMessage', { status: 500 }, 10);
    const w = worker();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      expect(await w.sendOne()).toBe(true);
      expect(row('invite:1:U1')).toMatchObject({
        status: 'pending',
        attempts: attempt,
        last_error: 'http_500',
      });
      // Not before the backoff has passed…
      now += backoffMs(attempt) - 1;
      expect(await w.sendOne()).toBe(false);
      now += 1;
    }
    expect(await w.sendOne()).toBe(true);
    expect(failedAs('invite', 1)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(failed.map((f) => f.error)).toEqual(['http_500']);
    now += 365 * 24 * 3_600_000;
    expect(await w.sendOne()).toBe(false);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(MAX_ATTEMPTS);
  });

  it('a 500 followed by success delivers once', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    fake.failNext('chat.postMessage', { status: 503 }, MAX_ATTEMPTS - 1);
    const w = worker();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      await w.sendOne();
      now += backoffMs(attempt);
    }
    expect(await w.sendOne()).toBe(true);
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(row('invite:1:U1')).toBeUndefined();
    expect(failed).toEqual([]);
  });

  it('an unknown ok:false error is retried, not dropped', async () => {
    outbox.enqueue('a', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    fake.failNext('chat.postMessage', { error: 'internal_error' });
    const w = worker();
    await w.sendOne();
    expect(row('a')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'internal_error' });
    now += backoffMs(1);
    await w.sendOne();
    expect(fake.dmsTo('U1')).toHaveLength(1);
  });
});

describe('OutboxWorker.stop', () => {
  it('waits for the delivery in flight to finish and be recorded', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    outbox.enqueue('invite:1:U2', 'chat.postMessage', { channel: 'U2', text: 'hi' });
    const release = fake.hold('chat.postMessage');
    const w = worker();
    w.start();
    await fake.waitFor((calls) => calls.length === 1);
    expect(outbox.counts().sending).toBe(1);
    let stopped = false;
    const stopping = w.stop().then((finished) => {
      stopped = true;
      return finished;
    });
    // Slack has not answered: stop() is still waiting, turn after turn of the event loop.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    expect(await stopping).toBe(true);
    // The slow delivery finished and was recorded; nothing is left in flight, nothing started after.
    expect(sent.map((s) => s.row.key)).toEqual(['invite:1:U1']);
    expect(outbox.counts()).toEqual({ pending: 1, sending: 0, failed: 0 });
    expect(fake.calls).toHaveLength(1);
  });

  it('a delivery still in flight after the grace period is left for the next start, and sent once more at most', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi' });
    const release = fake.hold('chat.postMessage');
    const late = answeredCounting();
    const w = worker({ slack: late.slack });
    w.start();
    await fake.waitFor((calls) => calls.length === 1);
    expect(await w.stop(50)).toBe(false);
    // The late answer arrives after stop: it must not touch the store.
    release();
    await waitUntil(() => late.answered() === 1);
    await new Promise((r) => setImmediate(r));
    expect(outbox.counts()).toEqual({ pending: 0, sending: 1, failed: 0 });
    expect(sent).toEqual([]);

    const next = worker();
    next.start();
    await waitUntil(() => outbox.counts().sending === 0 && outbox.counts().pending === 0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(sent.map((x) => x.row.key)).toEqual(['invite:1:U1']);
  });

  it('stops promptly when idle', async () => {
    // On a clock that never moves: stop() must wake the idle worker, not wait out its poll.
    const time = virtualClock(now);
    const w = worker({ idleMs: 60_000, timer: time.timer });
    w.start();
    await waitUntil(() => time.pending() === 1);
    expect(await w.stop()).toBe(true);
    expect(time.pending()).toBe(0);
  });
});

describe('classify', () => {
  it('sorts Slack errors into wait, give up and retry', () => {
    expect(classify({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 })).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 7000,
    });
    expect(classify({ code: 'slack_webapi_rate_limited_error' })).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 1000,
    });
    expect(classify({ code: 'slack_webapi_rate_limited_error', retryAfter: 0 })).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 1000,
    });
    for (const error of [
      'account_inactive',
      'user_not_found',
      'cannot_dm_bot',
      'channel_not_found',
      'not_in_channel',
    ]) {
      expect(classify({ code: 'slack_webapi_platform_error', data: { error } })).toEqual({
        kind: 'final',
        error,
      });
    }
    expect(classify({ code: 'slack_webapi_platform_error', data: { error: 'fatal_error' } })).toEqual({
      kind: 'retry',
      error: 'fatal_error',
    });
    expect(classify({ code: 'slack_webapi_http_error', statusCode: 502 })).toEqual({
      kind: 'retry',
      error: 'http_502',
    });
    expect(classify(new Error('socket hang up'))).toEqual({ kind: 'retry', error: 'socket hang up' });
    expect(classify('weird')).toEqual({ kind: 'retry', error: 'weird' });
  });

  it('reads the errors a real WebClient throws', async () => {
    const call = async () => {
      try {
        await client.apiCall('chat.postMessage', { channel: 'U1', text: 'x' });
        return null;
      } catch (err) {
        return classify(err);
      }
    };
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 4 });
    expect(await call()).toEqual({ kind: 'rate_limited', retryAfterMs: 4000 });
    fake.failNext('chat.postMessage', { status: 502 });
    expect(await call()).toEqual({ kind: 'retry', error: 'http_502' });
    fake.failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    expect(await call()).toEqual({ kind: 'final', error: 'cannot_dm_bot' });
    expect(await call()).toBeNull();
  });
});

describe('OutboxWorker durability', () => {
  it('sends a row only once its claim is synced to disk, one sync a delivery, without blocking on commits', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi U1' });
    outbox.enqueue('invite:1:U2', 'chat.postMessage', { channel: 'U2', text: 'hi U2' });
    const held = heldSync();
    const modes: number[] = [];
    const relaxed = durability(db, held.sync);
    const w = worker({
      durability: {
        relaxed: (write) =>
          relaxed.relaxed(() => {
            modes.push(db.pragma('synchronous', { simple: true }) as number);
            return write();
          }),
        durable: relaxed.durable,
      },
    });
    w.start();
    await held.called(1);
    // Claimed, not yet on disk: Slack has heard nothing.
    expect(outbox.counts().sending).toBe(1);
    expect(fake.calls).toHaveLength(0);
    held.calls[0]?.release();
    await fake.waitFor((calls) => calls.length === 1);
    // The next claim's sync also covers the first delivery's record; nothing else syncs.
    await held.called(2);
    expect(fake.calls).toHaveLength(1);
    held.calls[1]?.release();
    await fake.waitFor((calls) => calls.length === 2);
    await waitUntil(() => outbox.counts().pending === 0 && outbox.counts().sending === 0);
    expect(held.calls).toHaveLength(2);
    expect(fake.dmsTo('U1')).toHaveLength(1);
    expect(fake.dmsTo('U2')).toHaveLength(1);
    // Every write of the worker commits without SQLite's fsync (NORMAL); FULL is back for everyone else.
    expect(new Set(modes)).toEqual(new Set([1]));
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('sends nothing when the sync of a claim fails, and tries the row again later', async () => {
    outbox.enqueue('invite:1:U1', 'chat.postMessage', { channel: 'U1', text: 'hi U1' });
    const held = heldSync();
    const w = worker({ durability: durability(db, held.sync) });
    w.start();
    await held.called(1);
    held.calls[0]?.fail(new Error('EIO: i/o error, fdatasync'));
    await waitUntil(() => row('invite:1:U1')?.status === 'pending');
    expect(row('invite:1:U1')).toMatchObject({ attempts: 0, last_error: 'sync_failed' });
    expect(fake.calls).toHaveLength(0);
    // Once due again (not before), it goes out after a good sync.
    held.releaseAll();
    now += 60_000;
    w.kick();
    await fake.waitFor((calls) => calls.length === 1);
    expect(fake.dmsTo('U1')).toHaveLength(1);
  });
});
