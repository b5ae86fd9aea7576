import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { START_RETRY_DELAYS_MS, StartupError, verifySlack } from '../../src/slack/startup.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { captureLog } from '../support/harness.ts';
import { freePort } from '../support/process.ts';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({ socketModeUrl: () => 'ws://127.0.0.1:9/link/?ticket=unused' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const config = (env: Record<string, string> = {}) =>
  parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-start',
    SLACK_SIGNING_SECRET: 's',
    SLACK_API_URL: fake.url,
    ...env,
  });

/** Records the waits instead of waiting: the schedule is checked, the test takes no time. */
function recordedSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

const rejection = async (p: Promise<unknown>): Promise<StartupError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  return err as StartupError;
};

describe('verifySlack', () => {
  it('names the workspace and the bot user in its first log line, and returns who the bot is', async () => {
    const { log, logs } = captureLog();
    const identity = await verifySlack(config(), log);
    expect(identity).toEqual({
      teamId: 'T1',
      team: 'Teamhealth Test',
      userId: 'UBOT',
      user: 'teamhealth',
      botId: 'BBOT',
    });
    expect(logs).toEqual([
      'info connected to the Slack workspace Teamhealth Test (T1) as @teamhealth (UBOT)',
    ]);
    expect(fake.calls.map((c) => [c.method, c.token])).toEqual([['auth.test', 'xoxb-start']]);
  });

  it.each(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked'])(
    'stops at once, naming SLACK_BOT_TOKEN, when auth.test answers %s',
    async (error) => {
      fake.failNext('auth.test', { error });
      const { log, logs } = captureLog();
      const { sleep, waits } = recordedSleep();
      const err = await rejection(verifySlack(config(), log, { sleep }));
      expect(err.message).toContain('SLACK_BOT_TOKEN');
      expect(err.message).toContain(error);
      expect(err.message).not.toContain('\n');
      expect(fake.callsTo('auth.test')).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(logs).toEqual([]);
    },
  );

  it('in Socket Mode, opens a connection with the app token, and stops naming SLACK_APP_TOKEN when refused', async () => {
    const socket = config({ SLACK_APP_TOKEN: 'xapp-1-good' });
    await verifySlack(socket, captureLog().log);
    expect(fake.calls.map((c) => [c.method, c.token])).toEqual([
      ['auth.test', 'xoxb-start'],
      ['apps.connections.open', 'xapp-1-good'],
    ]);

    fake.failNext('apps.connections.open', { error: 'invalid_auth' });
    const err = await rejection(verifySlack(socket, captureLog().log));
    expect(err.message).toMatch(/^SLACK_APP_TOKEN was rejected by Slack \(invalid_auth\)/);
    expect(err.message).not.toContain('SLACK_BOT_TOKEN');
  });

  it('retries while Slack answers 5xx or is rate limited, a line each, and then goes on', async () => {
    fake.failNext('auth.test', { status: 503 });
    fake.failNext('auth.test', { status: 429, retryAfter: 1 });
    fake.failNext('auth.test', { error: 'internal_error' });
    const { log, logs } = captureLog();
    const { sleep, waits } = recordedSleep();
    const identity = await verifySlack(config(), log, { sleep, retryDelaysMs: [10, 20, 40, 80] });
    expect(identity.team).toBe('Teamhealth Test');
    expect(waits).toEqual([10, 20, 40]);
    const warnings = logs.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(
      /Slack is unreachable at .*auth\.test: HTTP 503.*attempt 1 of 5, next in 0\.01 s/,
    );
    expect(warnings[1]).toContain('rate limited');
    expect(warnings[2]).toContain('internal_error');
    expect(logs.at(-1)).toMatch(/^info connected to the Slack workspace/);
  });

  it('gives up when Slack stays unreachable, after a line per retry', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    const { log, logs } = captureLog();
    const { sleep, waits } = recordedSleep();
    const err = await rejection(
      verifySlack(config({ SLACK_API_URL: closed }), log, { sleep, retryDelaysMs: [5, 5] }),
    );
    expect(waits).toEqual([5, 5]);
    expect(logs).toHaveLength(2);
    for (const line of logs) expect(line).toMatch(/^warn Slack is unreachable at .*ECONNREFUSED/);
    expect(err.message).toMatch(
      /^could not reach Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ \(.*ECONNREFUSED/,
    );
    expect(err.message).toContain('gave up after 3 attempts');
    expect(err.message).toContain('.env');
  });

  it('by default waits about a minute in all, longer each time', () => {
    const total = START_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(50_000);
    expect(total).toBeLessThanOrEqual(70_000);
    for (let i = 1; i < START_RETRY_DELAYS_MS.length; i++) {
      expect(START_RETRY_DELAYS_MS[i]).toBeGreaterThanOrEqual(START_RETRY_DELAYS_MS[i - 1] ?? 0);
    }
  });
});
