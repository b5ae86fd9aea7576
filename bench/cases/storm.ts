import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DIMENSIONS } from '../../src/domain/dimensions.ts';
import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { interactionBody, viewSubmissionPayload } from '../../tools/signing.ts';
import { startFlags, startHost } from '../lib/child.ts';
import { signedPost } from '../lib/client.ts';
import { appEnv, pool, SECRET, sleep, workDir } from '../lib/common.ts';
import { fakeLimits } from '../lib/limits.ts';
import { buildOrg } from '../lib/org.ts';
import type { Progress } from '../lib/progress.ts';
import { seeded } from '../lib/rng.ts';
import { percentile } from '../lib/stats.ts';

export interface StormRun {
  submissions: number;
  ackP50: number;
  ackP99: number;
  ackMax: number;
  /** Answered HTTP 200 with no errors: from then on the answer must be stored. */
  acknowledged: number;
  /** Acknowledged answers missing from the database afterwards. */
  lost: number;
  /** Answers stored beyond those acknowledged (must be 0 too). */
  extra: number;
  elapsedMs: number;
  /** The longest the app's event loop was blocked during the storm. */
  loopBlockedMaxMs: number;
}

const radio = (v: number) => ({ answer: { type: 'radio_buttons', selected_option: { value: String(v) } } });

/**
 * Every invitee of `teams` open rounds submits the check-in modal once, `concurrency` submissions in
 * flight at a time, in a seeded random order. First, one more team's worth of submissions (50) warms the
 * app and opens the connections, as a proxy in front of the app or Slack's keep-alive would hold them.
 */
export async function stormCase(o: {
  teams: number;
  size: number;
  concurrency: number;
  budgets: Record<string, string>;
  seed: number;
  run: number;
  runs: number;
  progress: Progress;
}): Promise<StormRun> {
  const dir = workDir();
  const warmTeams = Math.ceil(o.concurrency / o.size);
  const org = buildOrg(join(dir, 'storm.db'), { teams: o.teams + warmTeams, size: o.size, mode: 'open' });
  const rng = seeded(o.seed);
  const body = (userId: string, team: number) => {
    const values: Record<string, Record<string, object>> = Object.fromEntries(
      DIMENSIONS.map((d) => [d, radio(rng.int(1, 5))]),
    );
    values.note = {
      note: { type: 'plain_text_input', value: rng.chance(0.2) ? 'Busy week, but ok.' : null },
    };
    return interactionBody(
      viewSubmissionPayload({ userId, callbackId: 'checkin', privateMetadata: String(team), values }),
    );
  };
  const everyone = org.members.map((m, i) => ({ m, team: Math.floor(i / o.size) + 1 }));
  const warm = everyone.filter((x) => x.team > o.teams).map((x) => body(x.m, x.team));
  const storm = everyone
    .filter((x) => x.team <= o.teams)
    .map((x) => ({ ...x, r: rng.next() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => body(x.m, x.team));

  const fake = await startFakeSlack({ rateLimits: fakeLimits });
  const host = await startHost('app', appEnv(org.path, fake.url, o.budgets), startFlags());
  const acks: number[] = [];
  let acknowledged = 0;
  const refusals: string[] = [];
  const submit = async (b: string, measured: boolean) => {
    const t0 = performance.now();
    const res = await signedPost(host.url, b, SECRET);
    const ms = performance.now() - t0;
    if (res.status === 200 && res.text === '') acknowledged++;
    else refusals.push(`${res.status} ${res.text.slice(0, 200)}`);
    if (measured) acks.push(ms);
  };
  try {
    await pool(warm.length, o.concurrency, (i) => submit(warm[i] as string, false));
    await sleep(100);
    await host.request('loopDelay');
    const started = performance.now();
    await pool(storm.length, o.concurrency, async (i) => {
      await submit(storm[i] as string, true);
      if (acks.length % 50 === 0) o.progress.detail(`run ${o.run}/${o.runs}: ${acks.length}/${storm.length}`);
    });
    const elapsedMs = performance.now() - started;
    const { maxMs } = await host.request<{ maxMs: number }>('loopDelay');
    if (refusals.length > 0) throw new Error(`submissions refused: ${refusals.slice(0, 3).join(' | ')}`);
    await host.stop();
    const db = new Database(org.path, { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const stored = count('SELECT count(*) AS n FROM responses');
    const answered = count('SELECT count(*) AS n FROM invites WHERE answered = 1');
    db.close();
    if (answered !== stored) throw new Error(`${answered} invites answered but ${stored} answers stored`);
    return {
      submissions: storm.length,
      ackP50: percentile(acks, 50),
      ackP99: percentile(acks, 99),
      ackMax: Math.max(...acks),
      acknowledged: acknowledged - warm.length,
      lost: Math.max(0, acknowledged - stored),
      extra: Math.max(0, stored - acknowledged),
      elapsedMs,
      loopBlockedMaxMs: maxMs,
    };
  } finally {
    await host.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
