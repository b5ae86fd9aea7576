import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import {
  blockActionPayload,
  interactionBody,
  postSigned,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';
import { assertModalWithinLimits, assertWithinSlackLimits } from './blockLimits.ts';

const { ErrorCode, WebClient } = webApi;

const client = (fake: FakeSlack) =>
  new WebClient('xoxb-test', {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  });

/** The rejection of `promise`, for asserting on Slack SDK error fields. */
async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack({
      usergroups: { S1: ['U1', 'U2'] },
      userTimezones: { U1: 'Europe/Berlin' },
    });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('serves the API on 127.0.0.1 under /api/', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers chat.postMessage to a user with a stable DM channel and increasing ts', async () => {
    const web = client(fake);
    const first = await web.chat.postMessage({ channel: 'U1', text: 'hi' });
    const second = await web.chat.postMessage({ channel: 'DU1', text: 'again' });
    expect(first.channel).toBe('DU1');
    expect(second.channel).toBe('DU1');
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.text).toBe('hi');
    expect(fake.dmsTo('U1')).toHaveLength(2);
    expect(fake.calls[0]?.token).toBe('xoxb-test');
  });

  it('records blocks and views as objects', async () => {
    const web = client(fake);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*How was your week?*' } }];
    await web.chat.postMessage({ channel: 'U1', text: 'check-in', blocks, unfurl_links: false });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Check-in' }, blocks };
    const opened = await web.views.open({ trigger_id: 'T.1', view });

    expect(fake.callsTo('chat.postMessage')[0]?.body.blocks).toEqual(blocks);
    expect(fake.callsTo('views.open')[0]?.body.view).toEqual(view);
    expect(opened.view?.id).toMatch(/^V/);
    expect(opened.view?.title?.text).toBe('Check-in');
  });

  it('rejects a reused trigger_id as Slack does', async () => {
    const web = client(fake);
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x' }, blocks: [] };
    await web.views.open({ trigger_id: 'T.2', view });
    const err = await rejection(web.views.open({ trigger_id: 'T.2', view }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect((err.data as { error: string }).error).toBe('exchanged_trigger_id');
  });

  it('answers the lookup methods', async () => {
    const web = client(fake);
    expect((await web.auth.test()).user_id).toBe('UBOT');
    expect((await web.conversations.open({ users: 'U7' })).channel?.id).toBe('DU7');
    expect((await web.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1', 'U2']);
    expect((await web.users.info({ user: 'U1' })).user?.tz).toBe('Europe/Berlin');
    expect((await web.users.info({ user: 'U9' })).user?.tz).toBe('UTC');
    const missing = await rejection(web.usergroups.users.list({ usergroup: 'S404' }));
    expect((missing.data as { error: string }).error).toBe('no_such_subteam');
    const unknown = await rejection(web.apiCall('reactions.add', {}));
    expect((unknown.data as { error: string }).error).toBe('unknown_method');
  });

  it('surfaces failNext 429 as a rate-limited error with the retry-after', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const web = client(fake);
    const err = await rejection(web.chat.postMessage({ channel: 'U1', text: 'x' }));
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ failed: true, status: 429 });
    // Only the next call fails.
    await expect(web.chat.postMessage({ channel: 'U1', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.dmsTo('U1')).toHaveLength(1);
  });

  it('surfaces failNext errors and 5xx as platform and HTTP errors', async () => {
    fake.failNext('chat.postMessage', { error: 'account_inactive' });
    fake.failNext('chat.update', { status: 503 });
    const web = client(fake);
    const platform = await rejection(web.chat.postMessage({ channel: 'U1', text: 'x' }));
    expect(platform.code).toBe(ErrorCode.PlatformError);
    expect((platform.data as { error: string }).error).toBe('account_inactive');
    const http = await rejection(web.chat.update({ channel: 'DU1', ts: '1.1', text: 'x' }));
    expect(http.code).toBe(ErrorCode.HTTPError);
    expect(http.statusCode).toBe(503);
  });

  it('fails every DM to a user set with failForChannel', async () => {
    fake.failForChannel('U2', 'account_inactive');
    const web = client(fake);
    for (const call of [
      () => web.chat.postMessage({ channel: 'U2', text: 'x' }),
      () => web.chat.postMessage({ channel: 'DU2', text: 'x' }),
      () => web.conversations.open({ users: 'U2' }),
    ]) {
      const err = await rejection(call());
      expect((err.data as { error: string }).error).toBe('account_inactive');
    }
    await expect(web.chat.postMessage({ channel: 'U1', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.dmsTo('U2')).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.failed)).toHaveLength(2);
  });

  it('answers late with delayMs', async () => {
    fake.failNext('users.info', { delayMs: 150 });
    const started = Date.now();
    const res = await client(fake).users.info({ user: 'U1' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('holds a call in flight, recorded, until released', async () => {
    const release = fake.hold('users.info');
    let answered = false;
    const call = client(fake)
      .users.info({ user: 'U1' })
      .finally(() => {
        answered = true;
      });
    await fake.waitFor((calls) => calls.some((c) => c.method === 'users.info'));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    release();
    await expect(call).resolves.toMatchObject({ ok: true });
  });

  it('takes a file through the external upload flow: URL, bytes, completion into a channel', async () => {
    const web = client(fake);
    const bytes = Buffer.from('a picture');
    const target = (await web.apiCall('files.getUploadURLExternal', {
      filename: 'chart.png',
      length: bytes.length,
      alt_txt: 'A chart',
    })) as { upload_url?: string; file_id?: string };
    expect(String(target.upload_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/upload\/F\w+$/);
    // Completing before the bytes arrived is refused, as Slack does.
    const early = await rejection(
      web.apiCall('files.completeUploadExternal', { files: [{ id: target.file_id }], channel_id: 'DU1' }),
    );
    expect(early.data).toMatchObject({ error: 'file_not_found' });
    const posted = await fetch(String(target.upload_url), { method: 'POST', body: bytes });
    expect(posted.status).toBe(200);
    const done = await web.apiCall('files.completeUploadExternal', {
      files: [{ id: target.file_id, title: 'Chart' }],
      channel_id: 'DU1',
    });
    expect((done as { files?: unknown }).files).toEqual([
      { id: target.file_id, name: 'chart.png', title: 'Chart' },
    ]);
    expect(fake.files).toEqual([
      expect.objectContaining({
        id: target.file_id,
        channelId: 'DU1',
        altTxt: 'A chart',
        title: 'Chart',
        bytes,
      }),
    ]);
    expect(fake.callsTo('file_upload')).toEqual([
      expect.objectContaining({ body: { file_id: target.file_id, length: 9 } }),
    ]);
    // Each file is completed once; an unknown one is not found.
    const again = await rejection(
      web.apiCall('files.completeUploadExternal', { files: [{ id: target.file_id }], channel_id: 'DU1' }),
    );
    expect(again.data).toMatchObject({ error: 'file_not_found' });
    expect((await fetch(`${fake.origin}/upload/F404`, { method: 'POST', body: bytes })).status).toBe(404);
  });

  it('refuses an upload without a name or size, or with an alt text over 1000 characters', async () => {
    const web = client(fake);
    const refused = async (args: Record<string, unknown>) =>
      ((await rejection(web.apiCall('files.getUploadURLExternal', args))).data as { error?: string }).error;
    expect(await refused({ length: 3 })).toBe('invalid_arguments');
    expect(await refused({ filename: 'a.png', length: 0 })).toBe('invalid_arguments');
    expect(await refused({ filename: 'a.png', length: 3, alt_txt: 'x'.repeat(1001) })).toBe(
      'alt_txt_too_large',
    );
  });

  it('records response_url posts and allows five per url', async () => {
    const url = fake.responseUrl('cmd-1');
    expect(url).toBe(`${fake.origin}/respond/cmd-1`);
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'done', response_type: 'ephemeral' }),
      });
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(404);
    const calls = fake.callsTo('response_url');
    expect(calls[0]).toMatchObject({ responseUrlId: 'cmd-1', body: { text: 'done' } });
    expect(calls[5]?.failed).toBe(true);
  });

  it('waitFor resolves on a match and names the recorded methods on timeout', async () => {
    const web = client(fake);
    setTimeout(() => void web.chat.postMessage({ channel: 'U3', text: 'late' }), 30);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(
      /timed out after 50 ms.*chat\.postMessage x1/,
    );
  });
});

describe('fake Slack rate-limit enforcement', () => {
  it('answers 429 past a per-method budget', async () => {
    const fake = await startFakeSlack({ rateLimits: { perMethodPerMinute: { 'conversations.open': 2 } } });
    try {
      const web = client(fake);
      await web.conversations.open({ users: 'U1' });
      await web.conversations.open({ users: 'U2' });
      const err = await rejection(web.conversations.open({ users: 'U3' }));
      expect(err.code).toBe(ErrorCode.RateLimitedError);
      expect(err.retryAfter).toBeGreaterThanOrEqual(59);
      expect(err.retryAfter).toBeLessThanOrEqual(60);
      expect(fake.rateLimited).toBe(1);
      await web.users.info({ user: 'U1' }); // other methods are not limited
    } finally {
      await fake.close();
    }
  });

  it('limits chat.postMessage per channel and per workspace', async () => {
    const fake = await startFakeSlack({
      rateLimits: { postMessagePerChannelPerSecond: 1, postMessageWorkspacePerMinute: 3 },
    });
    try {
      const web = client(fake);
      await web.chat.postMessage({ channel: 'U1', text: '1' });
      const perChannel = await rejection(web.chat.postMessage({ channel: 'DU1', text: '2' }));
      expect(perChannel.retryAfter).toBe(1);
      await web.chat.postMessage({ channel: 'U2', text: '3' });
      await web.chat.postMessage({ channel: 'U3', text: '4' });
      const workspace = await rejection(web.chat.postMessage({ channel: 'U4', text: '5' }));
      expect(workspace.code).toBe(ErrorCode.RateLimitedError);
      expect(fake.rateLimited).toBe(2);
      expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});

describe('Slack request signing', () => {
  it("reproduces Slack's documented example signature", () => {
    // The worked example from Slack's "Verifying requests from Slack" docs.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it("passes Bolt's own verifier", () => {
    const body = slashCommandBody({
      text: 'open',
      userId: 'U1',
      responseUrl: 'http://127.0.0.1:1/respond/x',
    });
    const headers = signSlackRequest('shh', body);
    expect(() =>
      verifySlackRequest({
        signingSecret: 'shh',
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      }),
    ).not.toThrow();
  });

  it('builds slash command and interaction bodies as Slack sends them', () => {
    const body = new URLSearchParams(
      slashCommandBody({ text: 'report <@U2>', userId: 'U1', responseUrl: 'http://127.0.0.1:1/respond/a' }),
    );
    expect([...body.keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(body.get('command')).toBe('/teamhealth');
    expect(body.get('text')).toBe('report <@U2>');
    expect(body.get('trigger_id')).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);

    const action = blockActionPayload({ userId: 'U1', actionId: 'open_checkin', value: 'w1' });
    const decoded = JSON.parse(new URLSearchParams(interactionBody(action)).get('payload') ?? '');
    expect(decoded).toMatchObject({
      type: 'block_actions',
      user: { id: 'U1', team_id: 'T1' },
      channel: { id: 'DU1' },
      actions: [{ action_id: 'open_checkin', value: 'w1' }],
    });
  });
});

describe('Bolt app against the fake', () => {
  it('acks a signed slash command, responds, and posts through the fake', async () => {
    const fake = await startFakeSlack();
    const app = new App({
      token: 'xoxb-test',
      signingSecret: 'shh',
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/teamhealth', async ({ ack, respond, client: web, command }) => {
      await ack();
      await respond({ text: `got ${command.text}` });
      await web.chat.postMessage({ channel: command.user_id, text: 'thanks' });
    });
    let submitted: unknown;
    app.view('checkin', async ({ ack, view }) => {
      submitted = view.state.values;
      await ack();
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const events = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    try {
      const responseUrl = fake.responseUrl();
      const body = slashCommandBody({ text: 'status', userId: 'U1', responseUrl });
      expect((await postSigned(events, body, { secret: 'shh' })).status).toBe(200);
      await fake.waitFor(() => fake.dmsTo('U1').length === 1);
      expect(fake.callsTo('response_url')[0]?.body).toMatchObject({ text: 'got status' });

      expect((await postSigned(events, body, { secret: 'wrong' })).status).toBe(401);
      expect((await postSigned(events, body, { secret: null })).status).toBe(401);

      const values = { q1: { score: { type: 'radio_buttons', selected_option: { value: '4' } } } };
      const submission = viewSubmissionPayload({
        userId: 'U1',
        callbackId: 'checkin',
        privateMetadata: '{}',
        values,
      });
      expect((await postSigned(events, interactionBody(submission), { secret: 'shh' })).status).toBe(200);
      expect(submitted).toEqual(values);
    } finally {
      await app.stop();
      await fake.close();
    }
  });
});

describe('Block Kit limits', () => {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const button = (label: string) => ({
    type: 'actions',
    elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: label } }],
  });

  it('accepts blocks at the limits', () => {
    expect(() => assertWithinSlackLimits(Array(50).fill(section('x'.repeat(3000))), 'message')).not.toThrow();
    expect(() => assertWithinSlackLimits(Array(100).fill(section('x')), 'modal')).not.toThrow();
    expect(() => assertWithinSlackLimits([button('x'.repeat(75))], 'home')).not.toThrow();
  });

  it('rejects a 51-block message', () => {
    expect(() => assertWithinSlackLimits(Array(51).fill(section('x')), 'message')).toThrow(
      /blocks has 51 items \(max 50\)/,
    );
  });

  it('rejects an over-long button label and section text', () => {
    expect(() => assertWithinSlackLimits([button('x'.repeat(76))], 'message')).toThrow(
      /blocks\[0\]\.elements\[0\]\.text is 76 chars \(max 75\)/,
    );
    expect(() => assertWithinSlackLimits([section('x'.repeat(3001))], 'message')).toThrow(/max 3000/);
  });

  it('checks modal title, metadata and blocks', () => {
    const modal = {
      type: 'modal',
      title: { type: 'plain_text', text: 'Weekly team check-in' },
      submit: { type: 'plain_text', text: 'Submit' },
      private_metadata: '{}',
      callback_id: 'checkin',
      blocks: [section('How are you?')],
    };
    expect(() => assertModalWithinLimits(modal)).not.toThrow();
    expect(() =>
      assertModalWithinLimits({ ...modal, title: { type: 'plain_text', text: 'x'.repeat(25) } }),
    ).toThrow(/title is 25 chars \(max 24\)/);
    expect(() => assertModalWithinLimits({ ...modal, private_metadata: 'x'.repeat(3001) })).toThrow(
      /private_metadata/,
    );
    expect(() => assertModalWithinLimits({ ...modal, blocks: Array(101).fill(section('x')) })).toThrow(
      /view\.blocks has 101 items/,
    );
  });
});
