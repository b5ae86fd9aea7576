// Requests that Slack did not sign (or signed long ago) are refused with 401 and change nothing;
// a request inside the five-minute window passes, and Slack's own retries never act twice.
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/slack/receiver.ts';
import {
  blockActionPayload,
  interactionBody,
  postSigned,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';
import { checkinTokenIn, checkinValues, SECRET, startTestApp, type TestApp } from '../support/harness.ts';
import { type DbSnapshot, rowsOf, snapshotDb } from '../support/snapshot.ts';

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05'];
const steady = { energy: 4, boundaries: 3, ownership: 5, recognition: 2 };
// The receiver reads this clock: a test that signs to the second pins it, so that no second can tick
// over between signing a request and checking it, however slow the machine.
let pinnedMs: number | undefined;
const receiverClock = () => pinnedMs ?? Date.now();
const nowSeconds = () => Math.floor(receiverClock() / 1000);
/** Stops the receiver's clock at the current second; afterEach lets it run again. */
const pinClock = (): number => {
  pinnedMs = Math.floor(Date.now() / 1000) * 1000;
  return nowSeconds();
};
const hmac = (secret: string, base: string) =>
  `v0=${createHmac('sha256', secret).update(base).digest('hex')}`;

let app: TestApp;
let roundId: number;

/** Sends a raw body with exactly these headers (no signing of our own). */
async function postRaw(
  body: string,
  headers: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded',
): Promise<number> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  await res.text();
  return res.status;
}

/** Bodies that would each change something, or call Slack, if they were accepted. */
function effectfulBodies(): Array<{ name: string; body: string }> {
  return [
    {
      name: 'team create',
      body: slashCommandBody({
        text: 'team create forged',
        userId: 'UMGR',
        responseUrl: app.fake.responseUrl('forged'),
      }),
    },
    {
      name: 'close',
      body: slashCommandBody({ text: 'close alpha', userId: 'UMGR', responseUrl: app.fake.responseUrl('c') }),
    },
    {
      name: 'submission',
      body: interactionBody(
        viewSubmissionPayload({
          userId: 'U02',
          callbackId: 'checkin',
          privateMetadata: checkinTokenIn(app.fake, 'U02', roundId),
          values: checkinValues(steady, 'forged'),
        }),
      ),
    },
    {
      name: 'button',
      body: interactionBody(
        blockActionPayload({
          userId: 'U03',
          actionId: 'checkin_open',
          value: checkinTokenIn(app.fake, 'U03', roundId),
        }),
      ),
    },
  ];
}

const homeOpened = (user: string) =>
  JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${user}`,
    event_time: nowSeconds(),
    event: { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1.000100' },
  });

beforeAll(async () => {
  app = await startTestApp({}, {}, { clock: receiverClock });
  await app.command('UMGR', 'team create alpha');
  await app.addMembers('UMGR', 'alpha', MEMBERS.map((u) => `<@${u}>`).join(' '));
  await app.command('UMGR', 'checkin alpha');
  await app.drain();
  const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug('alpha')?.id ?? -1);
  if (!round) throw new Error('no round opened');
  roundId = round.id;
  expect((await app.submit('U01', roundId, steady)).status).toBe(200);
  await app.drain();
});
afterEach(() => {
  pinnedMs = undefined;
});
afterAll(async () => {
  await app.close();
});

describe('requests not signed by Slack now', () => {
  it('answers 401 to every unsigned, wrongly signed, stale or malformed request, and changes nothing', async () => {
    const before: DbSnapshot = snapshotDb(app.dbPath);
    const callsBefore = app.fake.calls.length;
    const statuses: string[] = [];
    const expect401 = async (label: string, body: string, headers: Record<string, string>, ct?: string) => {
      const status = await postRaw(body, headers, ct);
      if (status !== 401) statuses.push(`${label}: ${status}`);
    };

    const now = pinClock();
    let attempts = 0;
    for (const { name, body } of effectfulBodies()) {
      const good = signSlackRequest(SECRET, body, now);
      const cases: Array<[string, Record<string, string>]> = [
        ['unsigned', {}],
        ['signature without timestamp', { 'x-slack-signature': good['x-slack-signature'] }],
        ['timestamp without signature', { 'x-slack-request-timestamp': String(now) }],
        ['wrong secret', signSlackRequest('not-the-secret', body, now)],
        ['empty secret', signSlackRequest('', body, now)],
        ['signed for another body', { ...signSlackRequest(SECRET, `${body}&x=1`, now) }],
        ['signed for an empty body', { ...signSlackRequest(SECRET, '', now) }],
        [
          'signature of another timestamp',
          {
            'x-slack-signature': hmac(SECRET, `v0:${now - 1}:${body}`),
            'x-slack-request-timestamp': String(now),
          },
        ],
        ['stale by 5 min 1 s', signSlackRequest(SECRET, body, now - 301)],
        ['stale by an hour', signSlackRequest(SECRET, body, now - 3600)],
        ['stale: epoch 0', signSlackRequest(SECRET, body, 0)],
        ['future by 5 min 1 s', signSlackRequest(SECRET, body, now + 301)],
        ['future by a day', signSlackRequest(SECRET, body, now + 86_400)],
        ['uppercase hex', { ...good, 'x-slack-signature': good['x-slack-signature'].toUpperCase() }],
        ['v1 scheme', { ...good, 'x-slack-signature': good['x-slack-signature'].replace('v0=', 'v1=') }],
        ['no scheme', { ...good, 'x-slack-signature': good['x-slack-signature'].slice(3) }],
        ['truncated', { ...good, 'x-slack-signature': good['x-slack-signature'].slice(0, -2) }],
        ['one char longer', { ...good, 'x-slack-signature': `${good['x-slack-signature']}0` }],
        ['empty signature', { ...good, 'x-slack-signature': '' }],
        ['v0= only', { ...good, 'x-slack-signature': 'v0=' }],
        [
          'two signatures',
          { ...good, 'x-slack-signature': `v0=${'0'.repeat(64)}, ${good['x-slack-signature']}` },
        ],
      ];
      // Malformed timestamps, each signed over exactly the malformed text so only the timestamp is wrong.
      for (const ts of [
        '',
        'abc',
        'NaN',
        '-1',
        `-${now}`,
        `${now}.5`,
        `${now / 1000}e3`,
        '1.7e9',
        `0x${now.toString(16)}`,
        ` ${now}`,
        `${now} `,
        `+${now}`,
        '9'.repeat(40),
        'Infinity',
      ]) {
        cases.push([
          `timestamp ${JSON.stringify(ts)}`,
          { 'x-slack-signature': hmac(SECRET, `v0:${ts}:${body}`), 'x-slack-request-timestamp': ts },
        ]);
      }
      for (const [label, headers] of cases) {
        attempts++;
        await expect401(`${name}, ${label}`, body, headers);
      }
      // The right signature on the JSON content type of a different body still fails.
      attempts++;
      await expect401(`${name}, json of another body`, '{"command":"/teamhealth"}', good, 'application/json');
    }
    expect(attempts).toBeGreaterThan(100);
    expect(statuses).toEqual([]);

    // Give anything that might have slipped through the time to show.
    await new Promise((r) => setTimeout(r, 150));
    await app.drain();
    expect(snapshotDb(app.dbPath)).toEqual(before);
    expect(app.fake.calls.slice(callsBefore)).toEqual([]);
  });

  it('refuses unsigned and stale events too, without publishing anything', async () => {
    const callsBefore = app.fake.calls.length;
    pinClock();
    const body = homeOpened('U01');
    const ct = 'application/json';
    expect(await postRaw(body, {}, ct)).toBe(401);
    expect(await postRaw(body, signSlackRequest('wrong', body), ct)).toBe(401);
    expect(await postRaw(body, signSlackRequest(SECRET, body, nowSeconds() - 600), ct)).toBe(401);
    expect(await postRaw(body, signSlackRequest(SECRET, body, nowSeconds() + 600), ct)).toBe(401);
    // The url_verification handshake is answered only when signed.
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 'x' });
    expect(await postRaw(challenge, {}, ct)).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(app.fake.calls.slice(callsBefore)).toEqual([]);
  });

  it('says nothing useful to an attacker in the 401', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Fteamhealth&user_id=U1&text=help',
    });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/v0=[0-9a-f]{8}/);
  });
});

describe('the five-minute window', () => {
  it('checks the window to the second (pure check)', () => {
    const body = 'a=1';
    const now = 1_700_000_000;
    const sig = (ts: number) => hmac(SECRET, `v0:${ts}:${body}`);
    for (const ts of [now, now - 300, now + 300, now - 299, now + 299]) {
      expect(verifySignature(SECRET, body, String(ts), sig(ts), now), String(ts - now)).toBe(true);
    }
    for (const ts of [now - 301, now + 301, now - 100_000]) {
      expect(verifySignature(SECRET, body, String(ts), sig(ts), now), String(ts - now)).toBe(false);
    }
    expect(verifySignature(SECRET, body, undefined, sig(now), now)).toBe(false);
    expect(verifySignature(SECRET, body, String(now), undefined, now)).toBe(false);
    expect(verifySignature('other', body, String(now), sig(now), now)).toBe(false);
  });

  it('accepts a request signed exactly five minutes ago or ahead, over HTTP', async () => {
    const now = pinClock();
    for (const [skew, slug] of [
      [-300, 'edge-past'],
      [300, 'edge-future'],
      [-299, 'edge-299'],
    ] as const) {
      const id = `edge-${slug}`;
      const body = slashCommandBody({
        text: `team create ${slug}`,
        userId: 'UMGR',
        responseUrl: app.fake.responseUrl(id),
      });
      const res = await postSigned(app.url, body, { secret: SECRET, timestamp: now + skew });
      expect(res.status, `skew ${skew}`).toBe(200);
      const calls = await app.fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id));
      expect(String(calls.find((c) => c.responseUrlId === id)?.body.text)).toContain(`Created *${slug}*`);
      expect(app.runtime.services.teams.bySlug(slug)?.managerId).toBe('UMGR');
    }
    // One second further out on either side is refused.
    for (const skew of [-301, 301]) {
      const body = slashCommandBody({
        text: 'team create edge-out',
        userId: 'UMGR',
        responseUrl: app.fake.responseUrl(`out${skew}`),
      });
      expect((await postSigned(app.url, body, { secret: SECRET, timestamp: now + skew })).status).toBe(401);
    }
    expect(app.runtime.services.teams.bySlug('edge-out')).toBeUndefined();
  });
});

describe('other routes and methods', () => {
  it('answers only POST on the events path; health is open', async () => {
    const origin = new URL(app.url).origin;
    expect((await fetch(app.url)).status).toBe(405);
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const other = await fetch(`${origin}/slack/other`, { method: 'POST', body: 'x' });
    expect(other.status).toBe(404);
  });
});

describe('a body over 1 MiB', () => {
  it('is refused with 413 as soon as its length is known, without waiting for the rest', async () => {
    // 50 MB declared, a few bytes sent, and the request never finished: only an early answer can come.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(app.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(50 * 1024 * 1024),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('command=%2Fteamhealth&');
    });
    expect(status).toBe(413);
  });

  it('is refused with 413 once more than 1 MiB has arrived, when no length was declared', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = request(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The connection is closed behind the answer: a write after that may fail, and that is fine.
      req.on('error', () => {});
      req.write('x'.repeat(1024 * 1024 + 1));
      setImmediate(() => req.write('y'.repeat(64 * 1024)));
    }).catch(() => 0);
    expect(status).toBe(413);
  });
});

describe("Slack's SSL check", () => {
  it('answers a signed ssl_check=1 with an empty 200 and nothing else; no other value is a check', async () => {
    const callsBefore = app.fake.calls.length;
    const check = 'ssl_check=1&token=legacy-verification-token';
    const ok = await postSigned(app.url, check, { secret: SECRET });
    expect(ok).toEqual({ status: 200, text: '' });
    expect(await postRaw(check, {})).toBe(401);
    for (const value of ['0', 'yes', 'true', '', '11']) {
      const res = await postSigned(app.url, `ssl_check=${value}&token=x`, { secret: SECRET });
      expect(res.status, value).toBe(400);
    }
    expect(app.fake.calls.slice(callsBefore)).toEqual([]);

    // A command that carries some other ssl_check field is still a command.
    const body = `${slashCommandBody({
      text: 'team create ssl-field',
      userId: 'UMGR',
      responseUrl: app.fake.responseUrl('ssl-field'),
    })}&ssl_check=0`;
    expect((await postSigned(app.url, body, { secret: SECRET })).status).toBe(200);
    await app.fake.waitFor((cs) => cs.some((c) => c.responseUrlId === 'ssl-field'));
    expect(app.runtime.services.teams.bySlug('ssl-field')?.managerId).toBe('UMGR');
  });
});

describe("Slack's retries", () => {
  it('stores a retried submission once and answers the retry politely', async () => {
    const before = snapshotDb(app.dbPath);
    const body = interactionBody(
      viewSubmissionPayload({
        userId: 'U04',
        callbackId: 'checkin',
        privateMetadata: checkinTokenIn(app.fake, 'U04', roundId),
        values: checkinValues(steady, 'once'),
      }),
    );
    const first = await postSigned(app.url, body, { secret: SECRET });
    expect(first.status).toBe(200);
    expect(first.text).toBe('');
    for (const n of ['1', '2', '3']) {
      const retry = await postSigned(app.url, body, {
        secret: SECRET,
        headers: { 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' },
      });
      expect(retry.status).toBe(200);
      expect(JSON.stringify(retry.json)).toContain('already answered');
    }
    await app.drain();
    const after = snapshotDb(app.dbPath);
    const used = (s: typeof before) => rowsOf(s, 'answer_slots').filter((r) => r.used === 1).length;
    expect(used(after)).toBe(used(before) + 1);
    expect(app.runtime.services.rounds.counts(roundId).answered).toBe(2);
    // One "recorded" update for U04's DM, not four.
    expect(app.fake.callsTo('chat.update').filter((c) => c.body.channel === 'DU04')).toHaveLength(1);
  });

  it('acts once on a retried command or event', async () => {
    await app.command('UMGR', 'team create retried');
    await app.addMembers('UMGR', 'retried', '<@U07>');
    const send = async (n?: string) => {
      const id = `retry-${n ?? 0}`;
      const body = slashCommandBody({
        text: 'checkin retried',
        userId: 'UMGR',
        responseUrl: app.fake.responseUrl(id),
      });
      const res = await postSigned(app.url, body, {
        secret: SECRET,
        headers: n ? { 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' } : {},
      });
      expect(res.status).toBe(200);
      const calls = await app.fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id));
      return String(calls.find((c) => c.responseUrlId === id)?.body.text);
    };
    expect(await send()).toContain('is open');
    expect(await send('1')).toContain('already has a check-in open');
    await app.drain();
    expect(app.fake.dmsTo('U07')).toHaveLength(1);

    const event = homeOpened('U07');
    const publishes = () => app.fake.callsTo('views.publish').length;
    const p0 = publishes();
    expect(
      (await postSigned(app.url, event, { secret: SECRET, contentType: 'application/json' })).status,
    ).toBe(200);
    const retried = await postSigned(app.url, event, {
      secret: SECRET,
      contentType: 'application/json',
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retried.status).toBe(200);
    await app.fake.waitFor(() => publishes() >= p0 + 1);
    await new Promise((r) => setTimeout(r, 150));
    // The retry (same event id) is recognised and not acted on again.
    expect(publishes() - p0).toBe(1);
    expect(app.fake.dmsTo('U07')).toHaveLength(1);
  });
});
