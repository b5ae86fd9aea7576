import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DIMENSIONS } from '../../src/domain/dimensions.ts';
import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { interactionBody, viewSubmissionPayload } from '../../tools/signing.ts';
import { type Host, startHost } from '../lib/child.ts';
import { post, type Signed, sign } from '../lib/client.ts';
import { appEnv, pool, SECRET, sleep, workDir } from '../lib/common.ts';
import { fakeLimits } from '../lib/limits.ts';
import { buildOrg } from '../lib/org.ts';
import type { Progress } from '../lib/progress.ts';
import { seeded } from '../lib/rng.ts';
import { percentile } from '../lib/stats.ts';

export interface StormRun {
  submissions: number;
  appAckP50: number;
  appAckP99: number;
  appAckMax: number;
  bareAckP50: number;
  bareAckP99: number;
  /** Answered HTTP 200 with no errors by the app: from then on the answer must be stored. */
  acknowledged: number;
  /** Acknowledged answers missing from the database afterwards. */
  lost: number;
  /** Answers stored beyond those acknowledged (must be 0 too). */
  extra: number;
  /** The app's time for all its submissions, and answers stored per second over it. */
  appElapsedMs: number;
  /** The longest the event loop of each app was blocked during the run. */
  appStallMs: number;
  bareStallMs: number;
  /** CPU time each app used per measured submission (all its threads, its background work included). */
  appCpuMs: number;
  bareCpuMs: number;
}

export interface StormOptions {
  teams: number;
  size: number;
  /** Submissions sent to one app before the other takes its turn with the same bodies. */
  chunk: number;
  /** Of a chunk, at most this many in flight: `chunk` = `inFlight` fires a whole wave at one instant. */
  inFlight: number;
  budgets: Record<string, string>;
  seed: number;
  progress: Progress;
  label: string;
}

const radio = (v: number) => ({ answer: { type: 'radio_buttons', selected_option: { value: String(v) } } });

/**
 * Every invitee of `teams` open rounds submits the check-in modal once, in a seeded random order, to
 * teamhealth and — the same signed bodies — to a bare Bolt app that only acks, in the same run. The
 * submissions go in chunks, taking turns (which app goes first alternates), with at most `inFlight` of a
 * chunk in flight: 250 / 50 is a steady storm of 50 concurrent requests; 50 / 50 is a wave, fifty
 * members pressing Submit at the same instant, the next wave once all fifty are acknowledged. First, one
 * more chunk (its own teams) warms both apps and opens the connections, as a proxy in front of the app or
 * Slack's keep-alive would hold them.
 */
export async function stormCase(o: StormOptions): Promise<StormRun> {
  const dir = workDir();
  const warmTeams = Math.ceil(o.chunk / o.size);
  const org = buildOrg(join(dir, 'storm.db'), { teams: o.teams + warmTeams, size: o.size, mode: 'open' });
  const rng = seeded(o.seed);
  // The token the member's check-in DM carries (round and round key): without it the answer is refused.
  const body = (userId: string) => {
    const values: Record<string, Record<string, object>> = Object.fromEntries(
      DIMENSIONS.map((d) => [d, radio(rng.int(1, 5))]),
    );
    values.note = {
      note: { type: 'plain_text_input', value: rng.chance(0.2) ? 'Busy week, but ok.' : null },
    };
    return interactionBody(
      viewSubmissionPayload({
        userId,
        callbackId: 'checkin',
        privateMetadata: org.tokens.get(userId) as string,
        values,
      }),
    );
  };
  const everyone = org.members.map((m, i) => ({ m, team: Math.floor(i / o.size) + 1 }));
  const warm = everyone.filter((x) => x.team > o.teams).map((x) => body(x.m));
  const storm = everyone
    .filter((x) => x.team <= o.teams)
    .map((x) => ({ ...x, r: rng.next() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => body(x.m));

  const fake = await startFakeSlack({ rateLimits: fakeLimits });
  const hosts: Host[] = [];
  try {
    const app = await startHost('app', appEnv(org.path, fake.url, o.budgets), dir);
    hosts.push(app);
    const bare = await startHost('bare', appEnv(org.path, fake.url), dir);
    hosts.push(bare);
    // A started app reads the keys of open rounds back from their DMs (src/usecases/roundKey.ts): up to
    // three conversations.history calls a round here, where the fake Slack holds no DMs of an earlier
    // process. That is a restart's work, not the storm's: let it finish first.
    for (let seen = -1, same = 0; same < 3; await sleep(100)) {
      const now = fake.callsTo('conversations.history').length;
      same = now === seen ? same + 1 : 0;
      seen = now;
    }
    const acks = { app: [] as number[], bare: [] as number[] };
    let acknowledged = 0;
    let appElapsedMs = 0;
    const refusals: string[] = [];
    /** Sends the signed chunk to one app, `inFlight` at a time; records each ack time when `measured`. */
    const send = async (host: Host, chunk: Signed[], measured: boolean) => {
      const isApp = host === app;
      const started = performance.now();
      await pool(chunk.length, o.inFlight, async (i) => {
        const t0 = performance.now();
        const res = await post(host.url, chunk[i] as Signed);
        const ms = performance.now() - t0;
        if (res.status === 200 && res.text === '') {
          if (isApp) acknowledged++;
        } else refusals.push(`${isApp ? 'app' : 'bare'}: ${res.status} ${res.text.slice(0, 200)}`);
        if (measured) acks[isApp ? 'app' : 'bare'].push(ms);
      });
      if (isApp && measured) appElapsedMs += performance.now() - started;
    };
    const turn = async (bodies: string[], appFirst: boolean, measured: boolean) => {
      const signed = bodies.map((b) => sign(b, SECRET));
      for (const host of appFirst ? [app, bare] : [bare, app]) await send(host, signed, measured);
    };

    await turn(warm, true, false);
    await Promise.all([app.loopDelay(), bare.loopDelay()]);
    const [appCpu0, bareCpu0] = await Promise.all([app.cpuMs(), bare.cpuMs()]);
    for (let at = 0, k = 0; at < storm.length; at += o.chunk, k++) {
      o.progress.detail(`${o.label}: ${at}/${storm.length}`);
      await turn(storm.slice(at, at + o.chunk), k % 2 === 0, true);
    }
    const [appStall, bareStall] = await Promise.all([app.loopDelay(), bare.loopDelay()]);
    const [appCpu1, bareCpu1] = await Promise.all([app.cpuMs(), bare.cpuMs()]);
    if (refusals.length > 0) throw new Error(`submissions refused: ${refusals.slice(0, 3).join(' | ')}`);
    for (const h of hosts) await h.stop();
    const db = new Database(org.path, { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const stored = count('SELECT count(*) AS n FROM answer_slots WHERE used = 1');
    const answered = count('SELECT count(*) AS n FROM invites WHERE answered = 1');
    db.close();
    if (answered !== stored) throw new Error(`${answered} invites answered but ${stored} answers stored`);
    return {
      submissions: storm.length,
      appAckP50: percentile(acks.app, 50),
      appAckP99: percentile(acks.app, 99),
      appAckMax: Math.max(...acks.app),
      bareAckP50: percentile(acks.bare, 50),
      bareAckP99: percentile(acks.bare, 99),
      acknowledged: acknowledged - warm.length,
      lost: Math.max(0, acknowledged - stored),
      extra: Math.max(0, stored - acknowledged),
      appElapsedMs,
      appStallMs: appStall.maxMs,
      bareStallMs: bareStall.maxMs,
      appCpuMs: (appCpu1 - appCpu0) / storm.length,
      bareCpuMs: (bareCpu1 - bareCpu0) / storm.length,
    };
  } finally {
    for (const h of hosts) await h.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
