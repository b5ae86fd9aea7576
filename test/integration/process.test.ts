import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { type FakeSocketMode, startFakeSocketMode } from '../../tools/fakeSocketMode.ts';
import { postSigned, slashCommandBody } from '../../tools/signing.ts';
import { type AppProcess, freePort, npmStartArgs, startProcess } from '../support/process.ts';

const SECRET = 'process-secret';
/** Node's documented memory and thread options: what `npm start` may pass (no loader, no internal V8 flags). */
const STABLE_FLAGS = new Set(['--max-old-space-size', '--max-semi-space-size', '--v8-pool-size']);

/** What a stopped start-up must look like: exit 1 within 10 s, one line, no stack trace. */
async function expectOneLineExit(p: AppProcess, started: number): Promise<string> {
  const { code } = await p.exit();
  expect(code).toBe(1);
  expect(Date.now() - started).toBeLessThan(10_000);
  const lines = p.output().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(p.output()).not.toMatch(/\bat .*\.[jt]s:\d+/);
  return lines[0] ?? '';
}

// `npm start` as deployed: the build output (dist/) under plain node, no loader. The other process tests
// (crash, restart) run the sources through tsx.
describe('npm start', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let dir: string;
  beforeAll(async () => {
    socket = await startFakeSocketMode();
    fake = await startFakeSlack({ socketModeUrl: () => socket.connectionUrl() });
    dir = mkdtempSync(join(tmpdir(), 'teamhealth-proc-'));
  });
  afterAll(async () => {
    await fake.close();
    await socket.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Each test programs its own failures; none may leak into the next.
  beforeEach(() => fake.reset());

  it('runs the compiled app with plain node: no loader, no internal V8 flags', () => {
    const args = npmStartArgs();
    expect(args.at(-1)).toBe('dist/start.cjs');
    // Only documented, stable node options; nothing that loads code (tsx, --import, --loader).
    for (const flag of args.slice(0, -1)) expect(STABLE_FLAGS.has(flag.split('=')[0] ?? ''), flag).toBe(true);
  });

  it('stops with one line naming the variable when the configuration is wrong', async () => {
    const p = startProcess(
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', MIN_RESPONSES: '2' },
      'compiled',
    );
    const { code } = await p.exit();
    expect(code).toBe(1);
    const lines = p.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('MIN_RESPONSES');
    expect(lines[0]).toContain('.env');
    expect(p.output()).not.toMatch(/\bat .*\.[jt]s:\d+/);
  });

  it('serves signed requests over HTTP, survives payload=null, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const p = startProcess(
      {
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(port),
        DATABASE_PATH: join(dir, 'nested', 'app.db'),
        SLACK_API_URL: fake.url,
      },
      'compiled',
    );
    await p.waitForOutput(/listening on port/);
    // The first line says which workspace and which bot the token belongs to.
    expect(p.output().split('\n')[0]).toMatch(/workspace Teamhealth Test \(T1\) as @teamhealth \(UBOT\)/);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const url = `http://127.0.0.1:${port}/slack/events`;
    expect((await postSigned(url, 'payload=null', { secret: SECRET })).status).toBe(400);
    const body = slashCommandBody({
      text: 'team create delta',
      userId: 'U1',
      responseUrl: fake.responseUrl('d'),
    });
    expect((await postSigned(url, body, { secret: SECRET })).status).toBe(200);
    await fake.waitFor((calls) => calls.some((c) => c.responseUrlId === 'd'));
    expect(String(fake.calls.find((c) => c.responseUrlId === 'd')?.body.text)).toContain('Created *delta*');

    const started = Date.now();
    p.child.kill('SIGTERM');
    const { code } = await p.exit();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  // The start entry sizes libuv's thread pool before the app loads (src/start.cts): charts are drawn on
  // it, and every thread that drew one keeps its memory. Counted in /proc, so on Linux only.
  it.runIf(process.platform === 'linux')(
    "starts libuv's thread pool with two threads, or with as many as the operator sets",
    async () => {
      const threads = async (extra: Record<string, string>): Promise<number> => {
        const p = startProcess({ ...httpEnv(), DATABASE_PATH: join(dir, 'pool.db'), ...extra }, 'compiled');
        await p.waitForOutput(/listening on port/);
        const count = readdirSync(`/proc/${p.child.pid}/task`).length;
        p.child.kill('SIGTERM');
        expect((await p.exit()).code).toBe(0);
        return count;
      };
      const asShipped = await threads({});
      expect(await threads({ UV_THREADPOOL_SIZE: '4' })).toBe(asShipped + 2);
      expect(await threads({ UV_THREADPOOL_SIZE: '1' })).toBe(asShipped - 1);
    },
  );

  const httpEnv = (): Record<string, string> => ({
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: SECRET,
    PORT: '0',
    DATABASE_PATH: join(dir, 'refused.db'),
    SLACK_API_URL: fake.url,
  });

  it.each(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked'])(
    'stops with one line naming SLACK_BOT_TOKEN when auth.test answers %s (HTTP mode)',
    async (error) => {
      fake.failNext('auth.test', { error });
      const started = Date.now();
      const line = await expectOneLineExit(startProcess(httpEnv()), started);
      expect(line).toContain('SLACK_BOT_TOKEN');
      expect(line).toContain(error);
      // Nothing was listening, ticking or writing: the check came first.
      expect(fake.calls.map((c) => c.method)).toEqual(['auth.test']);
    },
  );

  it.each([
    { method: 'auth.test', error: 'token_revoked', named: 'SLACK_BOT_TOKEN', other: 'SLACK_APP_TOKEN' },
    {
      method: 'apps.connections.open',
      error: 'invalid_auth',
      named: 'SLACK_APP_TOKEN',
      other: 'SLACK_BOT_TOKEN',
    },
  ])('in Socket Mode, stops with one line naming $named when $method answers $error', async (c) => {
    fake.failNext(c.method, { error: c.error });
    const connections = socket.connections;
    const started = Date.now();
    const p = startProcess({ ...httpEnv(), SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1-proc' });
    const line = await expectOneLineExit(p, started);
    expect(line).toContain(c.named);
    expect(line).toContain(c.error);
    expect(line).not.toContain(c.other);
    // The bot token is checked first, the app token next, and nothing connects after a refusal.
    const checks = ['auth.test', 'apps.connections.open'];
    expect(fake.calls.map((call) => call.method)).toEqual(checks.slice(0, checks.indexOf(c.method) + 1));
    expect(socket.connections).toBe(connections);
  });

  it('runs end to end in Socket Mode with only SLACK_APP_TOKEN and SLACK_API_URL, and exits 0 on SIGTERM', async () => {
    const connections = socket.connections;
    const p = startProcess({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1-proc',
      DATABASE_PATH: join(dir, 'socket.db'),
      SLACK_API_URL: fake.url,
    });
    await p.waitForOutput(/running in Socket Mode/);
    await socket.waitForConnections(connections + 1);
    const body = slashCommandBody({
      text: 'team create sigma',
      userId: 'U1',
      responseUrl: fake.responseUrl('s'),
    });
    const ack = await socket.send('slash_commands', Object.fromEntries(new URLSearchParams(body)));
    expect(ack.payload ?? {}).toEqual({});
    await fake.waitFor((calls) => calls.some((c) => c.responseUrlId === 's'));
    expect(String(fake.calls.find((c) => c.responseUrlId === 's')?.body.text)).toContain('Created *sigma*');

    p.child.kill('SIGTERM');
    expect((await p.exit()).code).toBe(0);
  });
});
