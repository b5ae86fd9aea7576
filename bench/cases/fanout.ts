import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { startHost } from '../lib/child.ts';
import { appEnv, sleep, workDir } from '../lib/common.ts';
import { fakeLimits, WORKSPACE_PER_SECOND } from '../lib/limits.ts';
import { buildOrg } from '../lib/org.ts';
import type { Progress } from '../lib/progress.ts';

export interface FanoutRun {
  invites: number;
  /** From the tick that opened the rounds to the last invite Slack accepted. */
  elapsedMs: number;
  /** invites / workspace budget: the least time the limits allow. */
  minimumMs: number;
  postMessageCalls: number;
  rateLimited: number;
  duplicates: number;
  lost: number;
  /** Invites the database says were not delivered (no DM recorded) once the outbox was empty. */
  undelivered: number;
  /** The worst event-loop delay of the app, from the tick that opened the rounds to the last invite. */
  stallMs: number;
}

/** A count from the app's database, read while it runs (WAL: a reader does not block the app). */
function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function fanoutCase(o: {
  teams: number;
  size: number;
  budgets: Record<string, string>;
  run: number;
  runs: number;
  progress: Progress;
}): Promise<FanoutRun> {
  const dir = workDir();
  const org = buildOrg(join(dir, 'fanout.db'), { teams: o.teams, size: o.size, mode: 'due' });
  const invites = org.members.length;
  const minimumMs = (invites / WORKSPACE_PER_SECOND) * 1000;
  let accepted = 0;
  const fake = await startFakeSlack({
    rateLimits: fakeLimits,
    onCall: (c) => {
      if (c.method === 'chat.postMessage') accepted++;
    },
  });
  // The schedules fell due this minute: the tick `npm start` runs at start opens every round.
  const host = await startHost('app', appEnv(org.path, fake.url, o.budgets), dir);
  try {
    const deadline = Date.now() + minimumMs * 3 + 10_000;
    const opened = () => count(org.path, 'SELECT count(*) AS n FROM rounds');
    const left = () =>
      count(org.path, "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')");
    while (opened() < o.teams || left() > 0) {
      if (Date.now() > deadline) throw new Error(`fan-out not done after ${minimumMs * 3 + 10_000} ms`);
      o.progress.detail(`run ${o.run}/${o.runs}: ${accepted - fake.rateLimited}/${invites} invites sent`);
      await sleep(100);
    }
    const { maxMs: stallMs } = await host.loopDelay();
    const posts = fake.callsTo('chat.postMessage');
    const ok = posts.filter((c) => !c.failed);
    const perUser = new Map<string, number>();
    for (const c of ok) {
      const user = String(c.body.channel);
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
    const last = Math.max(...ok.map((c) => c.at));
    await host.stop();
    const db = new Database(org.path, { readonly: true });
    const { n } = db.prepare('SELECT count(*) AS n FROM invites WHERE dm_ts IS NULL').get() as { n: number };
    // From the tick that opened the rounds (it stamps them with its clock) to the last invite accepted.
    const { started } = db.prepare('SELECT min(opened_at) AS started FROM rounds').get() as {
      started: number;
    };
    db.close();
    return {
      invites,
      elapsedMs: last - started,
      minimumMs,
      postMessageCalls: posts.length,
      rateLimited: fake.rateLimited,
      duplicates: [...perUser.values()].reduce((s, k) => s + Math.max(0, k - 1), 0),
      lost: org.members.filter((u) => !perUser.has(u)).length,
      undelivered: n,
      stallMs,
    };
  } finally {
    await host.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
