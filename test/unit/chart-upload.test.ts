// A chart upload as the outbox sends it: Slack's three steps against the fake Slack, on a worker whose
// clock the test moves, so retries and rate limits are checked without waiting for them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withChartUploads } from '../../src/jobs/chartUpload.ts';
import { backoffMs, MAX_ATTEMPTS, OutboxWorker, type SlackApi } from '../../src/jobs/outbox.ts';
import type { Logger } from '../../src/log.ts';
import { PNG_SIGNATURE } from '../../src/messages/png.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { type OutboxStore, outboxStore } from '../../src/store/outbox.ts';
import { CHART_UPLOAD, type ChartFile } from '../../src/usecases/charts.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const PNG = Buffer.concat([PNG_SIGNATURE, Buffer.from('not really the rest of a picture')]);

let fake: FakeSlack;
let dir: string;
let db: Db;
let outbox: OutboxStore;
let now: number;
let drawn: Array<Record<string, unknown>>;
let draw: (payload: Record<string, unknown>) => Promise<ChartFile | null>;
let failed: string[];

const chartOf = (payload: Record<string, unknown>): ChartFile => ({
  userId: String(payload.userId),
  filename: 'teamhealth-alpha-round-3.png',
  title: 'alpha · round 3 · trend',
  altText: 'Trend chart of alpha, round 3: 5 of 6 answered.',
  png: PNG,
});

function worker(): OutboxWorker {
  const client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  }) as unknown as SlackApi;
  return new OutboxWorker({
    outbox,
    slack: withChartUploads(client, {
      chart: (payload) => {
        drawn.push(payload);
        return draw(payload);
      },
      timeoutMs: 5000,
    }),
    hooks: { onSent: () => {}, onFailed: (_row, error) => failed.push(error) },
    transaction: (fn) => db.transaction(fn)(),
    log: silent,
    clock: () => new Date(now),
  });
}

const queue = (key: string, userId = 'UMGR') =>
  outbox.enqueue(key, CHART_UPLOAD, { chart: 'round', roundId: 3, userId });

const row = (key: string) =>
  db.prepare('SELECT status, attempts, last_error FROM outbox WHERE key = ?').get(key) as
    | { status: string; attempts: number; last_error: string | null }
    | undefined;

const steps = () => fake.calls.map((c) => (c.failed ? `${c.method} (failed)` : c.method));

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-chart-upload-'));
  db = openDatabase(join(dir, 'th.db'));
  outbox = outboxStore(db);
  now = Date.parse('2025-06-02T08:00:00Z');
  drawn = [];
  failed = [];
  draw = async (payload) => chartOf(payload);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a chart upload in the outbox', () => {
  it('opens the DM, gets an upload URL, posts the bytes and completes the file into that DM', async () => {
    queue('chart:3');
    expect(await worker().sendOne()).toBe(true);
    expect(steps()).toEqual([
      'conversations.open',
      'files.getUploadURLExternal',
      'file_upload',
      'files.completeUploadExternal',
    ]);
    const [asked] = fake.callsTo('files.getUploadURLExternal');
    expect(asked?.body).toMatchObject({
      filename: 'teamhealth-alpha-round-3.png',
      length: String(PNG.length),
      alt_txt: 'Trend chart of alpha, round 3: 5 of 6 answered.',
    });
    expect(fake.files).toEqual([
      expect.objectContaining({
        channelId: 'DUMGR',
        title: 'alpha · round 3 · trend',
        altTxt: 'Trend chart of alpha, round 3: 5 of 6 answered.',
        bytes: PNG,
      }),
    ]);
    expect(row('chart:3')).toBeUndefined();
    // The chart was drawn from the request at send time.
    expect(drawn).toEqual([{ chart: 'round', roundId: 3, userId: 'UMGR' }]);
  });

  it('asks for a DM channel once per person', async () => {
    queue('chart:3');
    queue('chart:4');
    queue('chart:5', 'ULEAD');
    const w = worker();
    while (await w.sendOne()) {}
    expect(fake.files.map((f) => f.channelId)).toEqual(['DUMGR', 'DUMGR', 'DULEAD']);
    expect(fake.callsTo('conversations.open').map((c) => c.body.users)).toEqual(['UMGR', 'ULEAD']);
  });

  it.each([
    ['files.getUploadURLExternal', { status: 500 as const }],
    ['file_upload', { status: 503 as const }],
    ['file_upload', { error: 'upload_refused' }],
    ['files.completeUploadExternal', { status: 502 as const }],
    ['files.completeUploadExternal', { error: 'internal_error' }],
  ])('retries after a failed %s (%o), starting over, and shares one file', async (method, failure) => {
    queue('chart:3');
    fake.failNext(method, failure);
    const w = worker();
    expect(await w.sendOne()).toBe(true);
    expect(fake.files).toEqual([]);
    expect(row('chart:3')).toMatchObject({ status: 'pending', attempts: 1 });
    // Not before the backoff.
    now += backoffMs(1) - 1;
    expect(await w.sendOne()).toBe(false);
    now += 1;
    expect(await w.sendOne()).toBe(true);
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]?.bytes.equals(PNG)).toBe(true);
    expect(row('chart:3')).toBeUndefined();
    // Each try drew the chart again from the database: nothing but the request was kept.
    expect(drawn).toHaveLength(2);
  });

  it('waits out a 429 without counting an attempt, and pauses only chart uploads', async () => {
    queue('chart:3');
    outbox.enqueue('summary:3', 'chat.postMessage', { channel: 'UMGR', text: 'the summary' });
    fake.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 20 });
    const w = worker();
    expect(await w.sendOne()).toBe(true);
    expect(row('chart:3')).toMatchObject({ status: 'pending', attempts: 0, last_error: 'rate_limited' });
    // The text goes meanwhile.
    expect(await w.sendOne()).toBe(true);
    expect(fake.dmsTo('UMGR')).toHaveLength(1);
    now += 19_000;
    expect(await w.sendOne()).toBe(false);
    now += 1_000;
    expect(await w.sendOne()).toBe(true);
    expect(fake.files).toHaveLength(1);
  });

  it('gives up at once when the workspace refuses uploads, and leaves the text alone', async () => {
    queue('chart:3');
    outbox.enqueue('summary:3', 'chat.postMessage', { channel: 'UMGR', text: 'the summary' });
    fake.failNext('files.getUploadURLExternal', { error: 'file_uploads_disabled' });
    const w = worker();
    while (await w.sendOne()) {}
    expect(row('chart:3')).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'file_uploads_disabled',
    });
    expect(failed).toEqual(['file_uploads_disabled']);
    expect(fake.dmsTo('UMGR')).toHaveLength(1);
    expect(fake.files).toEqual([]);
  });

  it(`retries a chart that fails to render, and gives up after ${MAX_ATTEMPTS} attempts`, async () => {
    queue('chart:3');
    draw = async () => {
      throw new Error('renderer unavailable');
    };
    const w = worker();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await w.sendOne()).toBe(true);
      now += backoffMs(attempt);
    }
    expect(row('chart:3')).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(failed).toEqual(['renderer unavailable']);
    expect(fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it('sends nothing when there is nothing left to draw (the round is gone)', async () => {
    queue('chart:3');
    draw = async () => null;
    expect(await worker().sendOne()).toBe(true);
    expect(fake.calls).toEqual([]);
    expect(row('chart:3')).toBeUndefined();
  });

  it('passes every other method straight to Slack', async () => {
    outbox.enqueue('summary:3', 'chat.postMessage', { channel: 'UMGR', text: 'the summary' });
    expect(await worker().sendOne()).toBe(true);
    expect(steps()).toEqual(['chat.postMessage']);
    expect(drawn).toEqual([]);
  });
});
