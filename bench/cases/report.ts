import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { slashCommandBody } from '../../tools/signing.ts';
import { type Host, startFlags, startHost } from '../lib/child.ts';
import { signedPost } from '../lib/client.ts';
import { appEnv, SECRET, sleep, withTimeout } from '../lib/common.ts';
import { leadId, managerOf, teamSlug } from '../lib/history.ts';
import type { Progress } from '../lib/progress.ts';
import { seeded } from '../lib/rng.ts';
import { percentile } from '../lib/stats.ts';
import { messageTextOf } from '../lib/text.ts';

export interface ReportRun {
  appAckP50: number;
  appAckP99: number;
  bareAckP50: number;
  bareAckP99: number;
  /** Until the response_url post with the report arrived: what the person waits for. */
  replyP50: number;
  replyP99: number;
}

export interface Memory {
  rss: number;
  peakRss: number;
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
}

export interface ReportCase {
  runs: ReportRun[];
  /** Building the digest of a lead with 200 teams in the app process: the first (cold), then warm runs. */
  digestColdMs: number;
  digestMs: number[];
  digestTeams: number;
  /** The app process right after start (history opened, nothing read) and after all of the above. */
  idle: Memory;
  loaded: Memory;
}

export interface ReportOptions {
  historyPath: string;
  teams: number;
  leads: number;
  runs: number;
  /** Requests per app per run, sent in pairs (one to each app). */
  requests: number;
  warmup: number;
  digestRuns: number;
  gapMs: number;
  progress: Progress;
}

/**
 * `/teamhealth report <team>` by the team's manager, over signed HTTP, against the app on the generated
 * history and against a bare Bolt app, in the same run: requests alternate between the two (so both see
 * the same machine), one at a time, a short pause after each. Ack time is the HTTP response; the reply
 * time is until the report reached the response_url.
 */
export async function reportCase(o: ReportOptions): Promise<ReportCase> {
  const arrivals = new Map<string, (at: number) => void>();
  const fake = await startFakeSlack({
    onCall: (c) => {
      if (c.responseUrlId) arrivals.get(c.responseUrlId)?.(performance.now());
    },
  });
  const rng = seeded(7);
  let seq = 0;
  const hosts: Host[] = [];
  try {
    const flags = startFlags();
    const app = await startHost('app', appEnv(o.historyPath, fake.url), flags);
    hosts.push(app);
    const bare = await startHost('bare', appEnv(o.historyPath, fake.url), flags);
    hosts.push(bare);
    const idle = await app.request<Memory & Record<string, unknown>>('memory');

    const digest = async (lead: string) => {
      const d = await app.request<{ ms: number; blocks: number }>('digest', lead);
      if (d.blocks === 0) throw new Error('empty digest');
      return d.ms;
    };
    const digestColdMs = await digest(leadId(1));

    /** One signed slash command; resolves to the ack time and, for the app, the time to its reply. */
    const command = async (host: Host, userId: string, text: string, reply: boolean) => {
      const id = `r${++seq}`;
      const replied = reply
        ? new Promise<number>((resolve) => arrivals.set(id, resolve))
        : Promise.resolve(Number.NaN);
      const body = slashCommandBody({ text, userId, responseUrl: fake.responseUrl(id) });
      const started = performance.now();
      const res = await signedPost(host.url, body, SECRET);
      const ack = performance.now() - started;
      if (res.status !== 200 || res.text !== '') throw new Error(`ack answered ${res.status} ${res.text}`);
      const at = await withTimeout(replied, 15_000, `reply to ${text}`);
      arrivals.delete(id);
      return { ack, reply: at - started, id };
    };
    const report = (host: Host, isApp: boolean) => {
      const t = rng.int(1, o.teams);
      return command(host, managerOf(t), `report ${teamSlug(t)}`, isApp);
    };

    // The reply must be the team's report, not a refusal or an empty history.
    const first = await report(app, true);
    const text = messageTextOf(fake.calls.find((c) => c.responseUrlId === first.id)?.body ?? {});
    if (!/Energy/.test(text) || /Only the manager|no closed round/.test(text)) {
      throw new Error(`the report command did not answer with a report:\n${text.slice(0, 400)}`);
    }

    const pair = async (appFirst: boolean) => {
      if (appFirst) {
        const a = await report(app, true);
        await sleep(o.gapMs);
        return { a, b: await report(bare, false) };
      }
      const b = await report(bare, false);
      await sleep(o.gapMs);
      return { a: await report(app, true), b };
    };
    for (let i = 0; i < o.warmup; i++) {
      o.progress.detail(`warming up ${i}/${o.warmup}`);
      await pair(true);
      await sleep(o.gapMs);
    }
    const runs: ReportRun[] = [];
    for (let r = 0; r < o.runs; r++) {
      const appAcks: number[] = [];
      const bareAcks: number[] = [];
      const replies: number[] = [];
      for (let i = 0; i < o.requests; i++) {
        if (i % 20 === 0) o.progress.detail(`run ${r + 1}/${o.runs}, ${i}/${o.requests} pairs`);
        // Alternate which goes first, so neither always follows the other's work.
        const { a, b } = await pair(i % 2 === 0);
        await sleep(o.gapMs);
        appAcks.push(a.ack);
        replies.push(a.reply);
        bareAcks.push(b.ack);
      }
      fake.reset();
      runs.push({
        appAckP50: percentile(appAcks, 50),
        appAckP99: percentile(appAcks, 99),
        bareAckP50: percentile(bareAcks, 50),
        bareAckP99: percentile(bareAcks, 99),
        replyP50: percentile(replies, 50),
        replyP99: percentile(replies, 99),
      });
    }

    const digestMs: number[] = [];
    for (let r = 0; r < o.digestRuns; r++) digestMs.push(await digest(leadId((r % o.leads) + 1)));
    const digestTeams = Math.ceil(o.teams / o.leads);
    const loaded = await app.request<Memory & Record<string, unknown>>('memory');

    const pick = (m: Memory): Memory => ({
      rss: m.rss,
      peakRss: m.peakRss,
      rssAnon: m.rssAnon,
      rssFile: m.rssFile,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
    });
    return {
      runs,
      digestColdMs,
      digestMs,
      digestTeams,
      idle: pick(idle),
      loaded: pick(loaded),
    };
  } finally {
    for (const h of hosts) await h.stop();
    await fake.close();
  }
}
