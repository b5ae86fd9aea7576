import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { OutboxWorker, PACING_BURST, Pacer, type SlackApi } from '../../src/jobs/outbox.ts';
import type { Logger } from '../../src/log.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { type OutboxStore, outboxStore } from '../../src/store/outbox.ts';
import { type FakeSlack, type RateLimits, startFakeSlack } from '../../tools/fakeSlack.ts';
import { type VirtualClock, virtualClock } from '../support/virtualClock.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let dir: string;
let db: Db;
let outbox: OutboxStore;
let fakes: FakeSlack[];
let workers: OutboxWorker[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-pacing-'));
  db = openDatabase(join(dir, 'th.db'));
  outbox = outboxStore(db);
  fakes = [];
  workers = [];
});

afterEach(async () => {
  for (const w of workers) await w.stop();
  for (const f of fakes) await f.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fakeSlack(rateLimits?: RateLimits, clock?: () => number): Promise<FakeSlack> {
  const fake = await startFakeSlack({ ...(rateLimits && { rateLimits }), ...(clock && { clock }) });
  fakes.push(fake);
  return fake;
}

const clientFor = (fake: FakeSlack): SlackApi =>
  new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  }) as unknown as SlackApi;

/** A worker; on a virtual clock its waits pass at once, so what it takes is the clock's, not the machine's. */
function worker(
  slack: SlackApi,
  budgets: Record<string, number> | undefined,
  time?: (() => Date) | VirtualClock,
): OutboxWorker {
  const w = new OutboxWorker({
    outbox,
    slack,
    hooks: { onSent() {}, onFailed() {} },
    transaction: (fn) => db.transaction(fn)(),
    log: silent,
    ...(typeof time === 'function' && { clock: time }),
    ...(typeof time === 'object' && { clock: time.date, timer: time.skippingTimer }),
    ...(budgets && { budgets }),
  });
  workers.push(w);
  return w;
}

const invites = (n: number, prefix = 'U'): string[] => {
  const users = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  for (const u of users) outbox.enqueue(`invite:1:${u}`, 'chat.postMessage', { channel: u, text: 'hi' });
  return users;
};

const waitUntil = async (cond: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Pacer', () => {
  it('allows a short burst, then one call per 1/rate, and never saves up more than the burst', () => {
    const p = new Pacer(600, 0); // 10 a second: one per 100 ms
    for (let i = 0; i < PACING_BURST; i++) {
      expect(p.waitMs(0)).toBe(0);
      p.take(0);
    }
    expect(p.waitMs(0)).toBe(100);
    expect(p.waitMs(40)).toBe(60);
    expect(p.waitMs(100)).toBe(0);
    p.take(100);
    expect(p.waitMs(100)).toBe(100);
    // A long quiet spell refills only up to the burst.
    expect(p.waitMs(60_000)).toBe(0);
    for (let i = 0; i < PACING_BURST; i++) p.take(60_000);
    expect(p.waitMs(60_000)).toBe(100);
  });

  it('keeps any window at or under burst + rate x window', () => {
    const p = new Pacer(6000, 0); // 100 a second
    const sends: number[] = [];
    for (let t = 0; t <= 3000; t++) {
      while (p.waitMs(t) === 0) {
        p.take(t);
        sends.push(t);
      }
    }
    for (const start of [0, 1, 500, 999, 2000]) {
      const inWindow = sends.filter((s) => s >= start && s < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(PACING_BURST + 100);
    }
    expect(sends.length).toBeGreaterThanOrEqual(300);
  });
});

describe('OutboxWorker pacing', () => {
  it('holds a method back once its budget is spent, and lets other methods through meanwhile', async () => {
    const fake = await fakeSlack();
    let now = Date.parse('2025-06-02T08:00:00Z');
    const w = worker(clientFor(fake), { 'chat.postMessage': 60, 'chat.update': 0 }, () => new Date(now));
    invites(PACING_BURST + 2);
    for (let i = 0; i < PACING_BURST; i++) expect(await w.sendOne()).toBe(true);
    expect(await w.sendOne()).toBe(false);
    outbox.enqueue('closed:1:U1', 'chat.update', { channel: 'DU1', ts: '1.000001', text: 'closed' });
    // chat.update is not paced (0) and not held back by chat.postMessage's budget.
    expect(await w.sendOne()).toBe(true);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(await w.sendOne()).toBe(false);
    now += 999;
    expect(await w.sendOne()).toBe(false);
    now += 1; // 60 a minute: one a second
    expect(await w.sendOne()).toBe(true);
    expect(await w.sendOne()).toBe(false);
    now += 1000;
    expect(await w.sendOne()).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(PACING_BURST + 2);
    expect(outbox.counts()).toEqual({ pending: 0, sending: 0, failed: 0 });
  });

  it('an unpaced worker runs into a workspace budget; a paced one sends at the budget with no 429', async () => {
    const limits: RateLimits = { postMessagePerChannelPerSecond: 1, postMessageWorkspacePerSecond: 40 };
    // The workers and the fake Slack's rate windows share one virtual clock: the pace measured below is
    // the worker's own, whatever else the machine is doing.
    const time = virtualClock(Date.parse('2025-06-02T08:00:00Z'));

    // Unpaced: Slack has to say no, and each 429 costs a Retry-After pause.
    const hammered = await fakeSlack(limits, time.now);
    invites(80, 'UA');
    const unpaced = worker(clientFor(hammered), undefined, time);
    unpaced.start();
    await waitUntil(() => outbox.counts().pending === 0 && outbox.counts().sending === 0);
    await unpaced.stop();
    expect(hammered.rateLimited).toBeGreaterThan(0);

    // Paced just under the budget (38 a second): every call accepted, at the pace the budget allows.
    const paced = await fakeSlack(limits, time.now);
    const users = invites(80, 'UB');
    const w = worker(clientFor(paced), { 'chat.postMessage': 38 * 60 }, time);
    const started = time.now();
    w.start();
    await waitUntil(() => outbox.counts().pending === 0 && outbox.counts().sending === 0);
    // Until the last invite reached Slack (an idle worker's clock runs on, a poll at a time).
    const elapsed = Math.max(...paced.callsTo('chat.postMessage').map((c) => c.at)) - started;
    expect(paced.rateLimited).toBe(0);
    for (const u of users) expect(paced.dmsTo(u), u).toHaveLength(1);
    const minimum = ((80 - PACING_BURST) / 38) * 1000;
    expect(elapsed).toBeGreaterThanOrEqual(minimum - 50);
    // Woken by the budget, not by the idle poll (1 s): close to the pace, not a second per call.
    expect(elapsed).toBeLessThan(minimum * 1.25 + 200);
  });
});

describe('pacing configuration', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

  it("defaults to Slack's limits: chat.postMessage several hundred a minute, chat.update Tier 3", () => {
    expect(parseConfig(base).slackBudgets).toEqual({ 'chat.postMessage': 300, 'chat.update': 50 });
  });

  it('reads SLACK_POSTMESSAGE_PER_MINUTE and SLACK_UPDATE_PER_MINUTE, 0 turning pacing off', () => {
    const c = parseConfig({ ...base, SLACK_POSTMESSAGE_PER_MINUTE: '9000', SLACK_UPDATE_PER_MINUTE: '0' });
    expect(c.slackBudgets).toEqual({ 'chat.postMessage': 9000, 'chat.update': 0 });
    expect(() => parseConfig({ ...base, SLACK_POSTMESSAGE_PER_MINUTE: 'fast' })).toThrow(
      /SLACK_POSTMESSAGE_PER_MINUTE must be a whole number/,
    );
  });
});
