import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { slashCommandBody } from '../../tools/signing.ts';
import { type Host, type Memory, startHost } from '../lib/child.ts';
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

/** The worst event-loop delay of the app (and of the bare app, where it ran the same work) in a phase. */
export interface Stall {
  appMs: number;
  bareMs?: number;
}

export interface ReportCase {
  runs: ReportRun[];
  /** The `/teamhealth digest` of a lead with 200 teams: until its reply arrived, first after start (cold), then warm. */
  digestColdMs: number;
  digestMs: number[];
  digestTeams: number;
  /** Closing a round on the full history: the close's reply, and a report sent right after it (behind the close and its WAL checkpoint). */
  closeReplyMs: number;
  reportBehindScrubAckMs: number;
  stalls: { report: Stall; digest: Stall; maintenance: Stall };
  /**
   * The app process two seconds after start (its peak: the start), after the reports and digests, and
   * at the end, after the close (its peak: from the start's end to here).
   */
  idle: Memory;
  loaded: Memory;
  end: Memory;
  /** After EXTRA_CLOSES more closes and their charts (`charts` drawn in all): what stays. */
  afterCharts: Memory;
  charts: number;
}

/** Closes after the measured one, each drawing its chart on whichever of libuv's threads is free. */
const EXTRA_CLOSES = 5;

export interface ReportOptions {
  historyPath: string;
  dir: string;
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
 * time is until the report reached the response_url. Then lead digests, then privacy maintenance on the
 * full database: a round opened and closed by hand; the close keeps the round's tally and notes, deletes
 * its answer slots and empties the WAL (one TRUNCATE checkpoint, src/store/scrub.ts). Nothing rewrites
 * the file any more.
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
    const app = await startHost('app', appEnv(o.historyPath, fake.url), o.dir);
    hosts.push(app);
    const bare = await startHost('bare', appEnv(o.historyPath, fake.url), o.dir);
    hosts.push(bare);
    // The start settles (Bolt's auth.test, the first tick, compiling what the first requests need), then
    // the peak starts again: the work below is measured apart from the start.
    await sleep(2000);
    const idle = await app.memory();
    await app.resetPeak();

    /** Sends one signed slash command; resolves once acknowledged, with the ack time and the reply to come. */
    const send = async (host: Host, userId: string, text: string, reply: boolean) => {
      const id = `r${++seq}`;
      const arrived = reply
        ? new Promise<number>((resolve) => arrivals.set(id, resolve))
        : Promise.resolve(Number.NaN);
      const body = slashCommandBody({ text, userId, responseUrl: fake.responseUrl(id) });
      const started = performance.now();
      const res = await signedPost(host.url, body, SECRET);
      const ack = performance.now() - started;
      if (res.status !== 200 || res.text !== '') throw new Error(`ack answered ${res.status} ${res.text}`);
      const replied = withTimeout(arrived, 15_000, `reply to ${text}`).then((at) => {
        arrivals.delete(id);
        const body = reply ? (fake.calls.find((c) => c.responseUrlId === id)?.body ?? {}) : {};
        return { ms: at - started, text: messageTextOf(body) };
      });
      return { ack, replied };
    };
    /** One signed slash command: its ack time and, when asked, the time until its reply and its text. */
    const command = async (host: Host, userId: string, text: string, reply: boolean) => {
      const { ack, replied } = await send(host, userId, text, reply);
      const r = await replied;
      return { ack, reply: r.ms, text: r.text };
    };
    const report = (host: Host, isApp: boolean) => {
      const t = rng.int(1, o.teams);
      return command(host, managerOf(t), `report ${teamSlug(t)}`, isApp);
    };

    // The reply must be the team's report, not a refusal or an empty history.
    const first = await report(app, true);
    if (!/Energy/.test(first.text) || /Only the manager|no closed round/.test(first.text)) {
      throw new Error(`the report command did not answer with a report:\n${first.text.slice(0, 400)}`);
    }
    const digest = async (lead: string) => {
      const d = await command(app, lead, 'digest', true);
      if (!/team-\d{4}/.test(d.text))
        throw new Error(`the digest command answered:\n${d.text.slice(0, 400)}`);
      return d.reply;
    };
    const digestColdMs = await digest(leadId(1));

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
    await Promise.all([app.loopDelay(), bare.loopDelay()]);
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
    const [appReport, bareReport] = await Promise.all([app.loopDelay(), bare.loopDelay()]);

    o.progress.detail('digests');
    const digestMs: number[] = [];
    for (let r = 0; r < o.digestRuns; r++) digestMs.push(await digest(leadId((r % o.leads) + 1)));
    const digestTeams = Math.ceil(o.teams / o.leads);
    const appDigest = await app.loopDelay();
    const loaded = await app.memory();

    // Privacy maintenance on the full history: a round opened and closed by hand. The close checkpoints
    // the WAL right after its acknowledgement; a report asked for at that moment waits behind it.
    o.progress.detail('a round opened and closed: its checkpoint on the full database');
    const team = 1;
    const opened = await command(app, managerOf(team), `checkin ${teamSlug(team)}`, true);
    if (!/is open/.test(opened.text)) throw new Error(`checkin answered:\n${opened.text.slice(0, 300)}`);
    const close = await send(app, managerOf(team), `close ${teamSlug(team)}`, true);
    const behind = await report(app, true);
    const closed = await close.replied;
    if (!/Closed round/.test(closed.text)) throw new Error(`close answered:\n${closed.text.slice(0, 300)}`);
    await sleep(1000);
    const appMaintenance = await app.loopDelay();
    const end = await app.memory();

    // More closes, each with its chart: libuv's threads take turns drawing them and each keeps what it
    // drew with (resvg's allocator), so what stays after several is what a running app holds.
    o.progress.detail(`${EXTRA_CLOSES} more closes, each with its chart`);
    for (let t = 2; t <= EXTRA_CLOSES + 1; t++) {
      const again = await command(app, managerOf(t), `checkin ${teamSlug(t)}`, true);
      if (!/is open/.test(again.text)) throw new Error(`checkin answered:\n${again.text.slice(0, 300)}`);
      const shut = await command(app, managerOf(t), `close ${teamSlug(t)}`, true);
      if (!/Closed round/.test(shut.text)) throw new Error(`close answered:\n${shut.text.slice(0, 300)}`);
    }
    await fake.waitFor(() => fake.files.length >= EXTRA_CLOSES + 1, 30_000);
    await sleep(500);
    const afterCharts = await app.memory();

    return {
      runs,
      digestColdMs,
      digestMs,
      digestTeams,
      closeReplyMs: closed.ms,
      reportBehindScrubAckMs: behind.ack,
      stalls: {
        report: { appMs: appReport.maxMs, bareMs: bareReport.maxMs },
        digest: { appMs: appDigest.maxMs },
        maintenance: { appMs: appMaintenance.maxMs },
      },
      idle,
      loaded,
      end,
      afterCharts,
      charts: fake.files.length,
    };
  } finally {
    for (const h of hosts) await h.stop();
    await fake.close();
  }
}
