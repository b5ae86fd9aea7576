import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { postSigned, slashCommandBody } from '../../tools/signing.ts';
import { freePort, startProcess } from '../support/process.ts';

const SECRET = 'process-secret';

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

  it('stops with one line naming the variable when the configuration is wrong', async () => {
    const p = startProcess({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', MIN_RESPONSES: '2' });
    const { code } = await p.exit();
    expect(code).toBe(1);
    const lines = p.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('MIN_RESPONSES');
    expect(p.output()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('serves signed requests over HTTP, survives payload=null, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const p = startProcess({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: SECRET,
      PORT: String(port),
      DATABASE_PATH: join(dir, 'nested', 'app.db'),
      SLACK_API_URL: fake.url,
    });
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
