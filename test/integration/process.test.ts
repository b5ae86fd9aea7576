import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../src/fake/fakeSlack.ts';
import { postSigned, slashCommandBody } from '../../src/fake/signing.ts';
import { freePort, npmStartArgs, startProcess } from '../support/process.ts';

const SECRET = 'process-secret';
/** Node's documented memory options: what `npm start` may pass (no loader, no internal V8 flags). */
const STABLE_FLAGS = new Set(['--max-old-space-size', '--max-semi-space-size']);

// `npm start` as deployed: the build output (dist/) under plain node, no loader. The other process tests
// (crash, restart) run the sources through tsx.
describe('npm start', () => {
  let fake: FakeSlack;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'teamhealth-proc-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the compiled app with plain node: no loader, no internal V8 flags', () => {
    const args = npmStartArgs();
    expect(args.at(-1)).toBe('dist/main.js');
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
});
