// `npm run bench`: builds the app and its own seeded data, runs each case several times against the app
// as `npm start` runs it (compiled, plain node) and, side by side, a bare Bolt app; prints a table (median
// and min–max over the runs). Not part of `npm test`. `--help` for the options.
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../src/config.ts';
import type { TickResult } from '../src/jobs/tick.ts';
import { SLOT_BYTES } from '../src/store/sealing.ts';
import { type ChartCase, chartCase, chartReport } from './cases/chart.ts';
import { type FanoutRun, fanoutCase } from './cases/fanout.ts';
import { type ReportCase, reportCase } from './cases/report.ts';
import { type SizingRun, sizingCase } from './cases/sizing.ts';
import { type StormRun, stormCase } from './cases/storm.ts';
import { build, startFlags } from './lib/child.ts';
import { workDir } from './lib/common.ts';
import { buildHistory, type History, leadId } from './lib/history.ts';
import { appBudgets, fakeLimits, SCALE, WORKSPACE_PER_SECOND } from './lib/limits.ts';
import { progress } from './lib/progress.ts';
import { round, type Spread, spread } from './lib/stats.ts';
import { measureTicks, type TickCosts } from './lib/ticks.ts';

const CASES = ['report', 'digest', 'footprint', 'fanout', 'storm', 'wave', 'sizing', 'chart'] as const;
type CaseName = (typeof CASES)[number];

const USAGE = `Usage: npm run bench -- [--quick] [--only=<case>,...] [--write] [--help]

Runs teamhealth (built from the current sources, started as \`npm start\` starts it) and a bare Bolt app
side by side on this machine and prints a table: medians over several runs with their min–max.

  --quick          fewer and smaller runs, to try the bench itself (about a minute)
  --only=<cases>   run only these of: ${CASES.join(', ')}
                   (report, digest and footprint share one run on the generated history; sizing
                   measures a digest of 1,000 teams and the minute tick over them, and projects
                   for 50,000 people)
  --write          write bench/results.json (only for a full run: not with --quick or --only)
  --help           print this and exit

Exit status: 0 when every gated figure passes; 1 when a ratio (teamhealth against the bare app, or a
fan-out against the least time Slack's limits allow) or a correctness figure (lost, duplicated) fails;
2 on a usage error or when the bench itself could not run. Absolute targets (event-loop stalls, memory)
are reported, marked *, and do not set the exit status: on a shared machine they measure the machine.
BENCH_NODE_FLAGS="--flag ..." replaces the node flags of \`npm start\` for the apps (to compare).`;

const args = process.argv.slice(2);
const usageError = (message: string): never => {
  process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
};
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
for (const a of args) {
  if (!['--quick', '--write'].includes(a) && !a.startsWith('--only=')) usageError(`unknown option ${a}`);
}
const quick = args.includes('--quick');
const write = args.includes('--write');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
for (const name of only ?? []) {
  if (!(CASES as readonly string[]).includes(name)) usageError(`unknown case ${name}`);
}
if (write && (quick || only)) usageError('--write records a full run: leave out --quick and --only');
const wants = (name: CaseName) => !only || only.includes(name);

const SETTINGS = {
  history: { teams: 1000, rounds: 104, leads: 5, seed: 20240601 },
  report: quick
    ? { runs: 2, requests: 200, warmup: 100, digestRuns: 5, gapMs: 2 }
    : { runs: 5, requests: 600, warmup: 300, digestRuns: 20, gapMs: 2 },
  fanout: quick ? { runs: 1, teams: 100, size: 10 } : { runs: 3, teams: 500, size: 10 },
  storm: { runs: quick ? 2 : 5, teams: quick ? 100 : 200, size: 10, chunk: 250, inFlight: 50 },
  wave: { runs: quick ? 2 : 5, teams: 40, size: 10, chunk: 50, inFlight: 50 },
  sizing: {
    digestRuns: quick ? 2 : 5,
    idleTicks: quick ? 3 : 10,
    people: 50_000,
    teamSize: 7,
    roundsPerYear: 52,
  },
  chart: quick ? { teamRuns: 10, leadRuns: 3 } : { teamRuns: 40, leadRuns: 9 },
};

/** Gated: a failure sets exit status 1. */
const TARGETS = {
  reportP99Ratio: 1.5,
  // A steady 50 in flight is bound by throughput: each batch's fsync (an answer is on disk before it is
  // acknowledged) queues every request behind it, which the bare app never pays. The burst is `wave`.
  stormP99Ratio: 2,
  waveP99Ratio: 1.5,
  fanoutRatio: 1.1,
  fanout429Share: 0.01,
};
/** Reported against, not gated (absolute figures: on a loaded machine they measure the machine). */
const ABSOLUTE = {
  stallMs: 50,
  peakRssMb: 120,
};

const MB = 1024 * 1024;
/** Slack's deadline for acknowledging a request (a slash command, a button, a modal's submission). */
const ACK_DEADLINE_MS = 3000;
const cpu = cpus()[0]?.model ?? 'unknown';
const machine = {
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cores: availableParallelism(),
  cpu,
  memoryGb: round(totalmem() / 1024 ** 3, 1),
};
const load = () => loadavg().map((x) => x.toFixed(2));
const loadAtStart = load();
process.stdout.write(
  `teamhealth bench — ${new Date().toISOString().slice(0, 10)}, node ${machine.node}, ${machine.cores} cores (${cpu})\n` +
    `load average at start (1, 5, 15 min): ${loadAtStart.join(', ')}${quick ? '; QUICK run' : ''}\n`,
);

const needsReport = wants('report') || wants('digest') || wants('footprint');
const needsHistory = needsReport || wants('sizing');
const steps =
  1 +
  (needsHistory ? 1 : 0) +
  (needsReport ? 1 : 0) +
  (wants('sizing') ? 1 : 0) +
  (wants('fanout') ? SETTINGS.fanout.runs : 0) +
  (wants('storm') ? SETTINGS.storm.runs : 0) +
  (wants('wave') ? SETTINGS.wave.runs : 0) +
  (wants('chart') ? 1 : 0);
const p = progress(steps);
const dir = workDir();

let history: History | undefined;
let historyBytes = 0;
let report: ReportCase | undefined;
let sizing: SizingRun | undefined;
let ticks: TickCosts | undefined;
const fanout: FanoutRun[] = [];
const storm: StormRun[] = [];
const wave: StormRun[] = [];
let chart: ChartCase | undefined;

try {
  p.step('npm run build (the apps run the build output, as npm start does)');
  build();
  if (needsHistory) {
    p.step(`generating ${SETTINGS.history.teams} teams x ${SETTINGS.history.rounds} rounds of history`);
    history = buildHistory(join(dir, 'history.db'), SETTINGS.history);
    historyBytes = statSync(history.path).size;
  }
  if (needsReport && history) {
    p.step('/teamhealth report against the app and a bare Bolt app; digests; a close; memory');
    report = await reportCase({
      historyPath: history.path,
      dir,
      teams: SETTINGS.history.teams,
      leads: SETTINGS.history.leads,
      ...SETTINGS.report,
      progress: p,
    });
  }
  if (wants('sizing') && history) {
    p.step(`sizing: the digest of one lead of all ${SETTINGS.history.teams} teams`);
    const db = new Database(history.path);
    db.prepare('UPDATE teams SET lead_id = ?').run(leadId(1));
    db.close();
    sizing = await sizingCase({
      historyPath: history.path,
      dir,
      digestRuns: SETTINGS.sizing.digestRuns,
      progress: p,
    });
    p.detail(`the minute tick over ${SETTINGS.history.teams} teams: idle, opening, reminding, closing`);
    ticks = measureTicks(history.path, dir, history.slotAt, SETTINGS.sizing.idleTicks);
  }
  if (wants('fanout')) {
    for (let r = 1; r <= SETTINGS.fanout.runs; r++) {
      p.step(`fan-out of ${SETTINGS.fanout.teams * SETTINGS.fanout.size} invites, run ${r}`);
      fanout.push(
        await fanoutCase({
          ...SETTINGS.fanout,
          budgets: appBudgets,
          run: r,
          runs: SETTINGS.fanout.runs,
          progress: p,
        }),
      );
    }
  }
  for (const [name, runs, into] of [
    ['storm', SETTINGS.storm, storm],
    ['wave', SETTINGS.wave, wave],
  ] as const) {
    if (!wants(name)) continue;
    for (let r = 1; r <= runs.runs; r++) {
      const label = `${name === 'storm' ? 'submit storm' : 'waves of submissions'}, run ${r}/${runs.runs}`;
      p.step(label);
      into.push(await stormCase({ ...runs, budgets: appBudgets, seed: r, progress: p, label }));
    }
  }
  if (wants('chart')) {
    p.step('trend charts: one team, and a lead of 200 teams');
    chart = await chartCase({ dir, ...SETTINGS.chart, progress: p });
  }
} catch (err) {
  p.done();
  process.stderr.write(`bench: could not run: ${err instanceof Error ? err.stack : String(err)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(2);
}
p.done();
rmSync(dir, { recursive: true, force: true });

// ---- figures ------------------------------------------------------------------------------------------

type Result = 'pass' | 'FAIL' | 'pass*' | 'FAIL*' | '';
type Row = { case: string; measure: string; median: string; spread: string; target: string; result: Result };
const rows: Row[] = [];
const fmt = (x: number, unit: string, digits = 1) => `${x.toFixed(digits)}${unit}`;
const range = (s: Spread, unit: string, digits = 1) =>
  s.runs > 1 ? `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}${unit}` : '(1 run)';
const gate = (ok: boolean): Result => (ok ? 'pass' : 'FAIL');
const absolute = (ok: boolean): Result => (ok ? 'pass*' : 'FAIL*');
const sp = (xs: number[]) => spread(xs);
const spJson = (s: Spread, digits = 2) => ({
  median: round(s.median, digits),
  min: round(s.min, digits),
  max: round(s.max, digits),
  runs: s.runs,
});
/** A row of figures over runs: median and spread, no target. */
const info = (c: string, measure: string, s: Spread, unit: string, digits = 1): Row => ({
  case: c,
  measure,
  median: fmt(s.median, unit, digits),
  spread: range(s, unit, digits),
  target: '',
  result: '',
});
/** A p99 ratio teamhealth / bare app, gated. */
const ratioRow = (c: string, s: Spread, target: number): Row => ({
  ...info(c, 'p99 ratio teamhealth / bare Bolt app', s, 'x', 2),
  target: `<= ${target}x`,
  result: gate(s.median <= target),
});
/** The worst event-loop delay of a case (its runs' worst), against the absolute target. */
const stalls: Array<{ case: string; appMs: number; bareMs?: number }> = [];
const stallRow = (c: string, appMs: number, bareMs?: number) => {
  stalls.push({
    case: c,
    appMs: round(appMs, 1),
    ...(bareMs === undefined ? {} : { bareMs: round(bareMs, 1) }),
  });
  rows.push({
    case: 'event loop',
    measure: `worst delay: ${c}${bareMs === undefined ? '' : ` (bare Bolt app: ${fmt(bareMs, ' ms', 0)})`}`,
    median: fmt(appMs, ' ms', 0),
    spread: '',
    target: `<= ${ABSOLUTE.stallMs} ms`,
    result: absolute(appMs <= ABSOLUTE.stallMs),
  });
};

const results: Record<string, unknown> = {};

if (report && history) {
  const r = report;
  if (wants('report')) {
    const appP50 = sp(r.runs.map((x) => x.appAckP50));
    const bareP50 = sp(r.runs.map((x) => x.bareAckP50));
    const appP99 = sp(r.runs.map((x) => x.appAckP99));
    const bareP99 = sp(r.runs.map((x) => x.bareAckP99));
    const ratio = sp(r.runs.map((x) => x.appAckP99 / x.bareAckP99));
    const replyP50 = sp(r.runs.map((x) => x.replyP50));
    const replyP99 = sp(r.runs.map((x) => x.replyP99));
    rows.push(
      info('report ack', 'p50 ack, teamhealth', appP50, ' ms', 2),
      info('report ack', 'p50 ack, bare Bolt app', bareP50, ' ms', 2),
      info('report ack', 'p99 ack, teamhealth', appP99, ' ms', 2),
      info('report ack', 'p99 ack, bare Bolt app', bareP99, ' ms', 2),
      ratioRow('report ack', ratio, TARGETS.reportP99Ratio),
      info('report reply', 'p50 until the report reached response_url', replyP50, ' ms', 2),
      info('report reply', 'p99 until the report reached response_url', replyP99, ' ms', 2),
    );
    results.report = {
      requestsPerRun: SETTINGS.report.requests,
      appAckP50Ms: spJson(appP50),
      appAckP99Ms: spJson(appP99),
      bareAckP50Ms: spJson(bareP50),
      bareAckP99Ms: spJson(bareP99),
      p99Ratio: spJson(ratio),
      replyP50Ms: spJson(replyP50),
      replyP99Ms: spJson(replyP99),
      target: `p99 ratio <= ${TARGETS.reportP99Ratio}`,
      pass: ratio.median <= TARGETS.reportP99Ratio,
    };
  }
  if (wants('digest')) {
    const digest = sp(r.digestMs);
    rows.push(
      info('digest', `/teamhealth digest, lead of ${r.digestTeams} teams: until the reply`, digest, ' ms'),
      { ...info('digest', 'first after start (cold)', sp([r.digestColdMs]), ' ms'), spread: '' },
    );
    results.digest = { teams: r.digestTeams, replyMs: spJson(digest), coldMs: round(r.digestColdMs) };
  }
  if (wants('footprint')) {
    const bytesPerAnswer = historyBytes / history.answers;
    const peak = Math.max(r.end.peakRss, r.idle.peakRss) / MB;
    const workPeak = r.end.peakRss / MB;
    rows.push(
      {
        case: 'footprint',
        measure: 'RSS peak (VmHWM), from start through reports, digests and a close on the history',
        median: fmt(peak, ' MB', 0),
        spread: `start ${fmt(r.idle.peakRss / MB, ' MB', 0)}; the work after it ${fmt(workPeak, ' MB', 0)}`,
        target: `<= ${ABSOLUTE.peakRssMb} MB`,
        result: absolute(peak <= ABSOLUTE.peakRssMb),
      },
      {
        case: 'footprint',
        measure: 'RSS 2 s after start / after the reports and digests / at the end',
        median: fmt(r.loaded.rss / MB, ' MB', 0),
        spread: `${fmt(r.idle.rss / MB, ' MB', 0)} / ${fmt(r.loaded.rss / MB, ' MB', 0)} / ${fmt(r.end.rss / MB, ' MB', 0)}`,
        target: '',
        result: '',
      },
      {
        case: 'footprint',
        measure: `RSS after more closes, ${r.charts} charts drawn in all (each thread that drew one keeps its memory)`,
        median: fmt(r.afterCharts.rss / MB, ' MB', 0),
        spread: `peak ${fmt(r.afterCharts.peakRss / MB, ' MB', 0)}; V8 heap ${fmt(r.afterCharts.heapTotal / MB, ' MB', 0)}`,
        target: '',
        result: '',
      },
      {
        case: 'footprint',
        measure: `database bytes per answer given (${(history.answers / 1000).toFixed(0)}k; a closed round keeps invites, tally, notes)`,
        median: fmt(bytesPerAnswer, ' B', 0),
        spread: `${fmt(historyBytes / MB, ' MB', 1)} file`,
        target: '',
        result: '',
      },
      {
        case: 'maintenance',
        measure: 'a report asked right after a close (behind its WAL checkpoint): ack',
        median: fmt(r.reportBehindScrubAckMs, ' ms', 0),
        spread: `one TRUNCATE checkpoint after a close here: ${fmt(history.checkpointMs, ' ms', 1)}`,
        target: '',
        result: '',
      },
    );
    const m = (x: typeof r.end) => ({
      rssMb: round(x.rss / MB, 1),
      peakRssMb: round(x.peakRss / MB, 1),
      rssAnonMb: round(x.rssAnon / MB, 1),
      rssFileMb: round(x.rssFile / MB, 1),
      heapUsedMb: round(x.heapUsed / MB, 1),
      heapTotalMb: round(x.heapTotal / MB, 1),
    });
    results.footprint = {
      nodeFlags: startFlags().join(' '),
      peakRssMb: round(peak, 1),
      startPeakRssMb: round(r.idle.peakRss / MB, 1),
      workPeakRssMb: round(workPeak, 1),
      afterStart: m(r.idle),
      afterReportsAndDigests: m(r.loaded),
      atEnd: m(r.end),
      charts: r.charts,
      afterCharts: m(r.afterCharts),
      databaseBytes: historyBytes,
      answers: history.answers,
      bytesPerAnswer: round(bytesPerAnswer, 1),
      checkpointAfterCloseMs: round(history.checkpointMs, 2),
      closeReplyMs: round(r.closeReplyMs, 1),
      reportBehindScrubAckMs: round(r.reportBehindScrubAckMs, 1),
      target: `peak rss <= ${ABSOLUTE.peakRssMb} MB (reported)`,
      pass: peak <= ABSOLUTE.peakRssMb,
    };
  }
  results.history = {
    teams: history.teams,
    rounds: history.rounds,
    invites: history.invites,
    answers: history.answers,
    notes: history.notes,
    buildMs: round(history.buildMs, 0),
  };
}

if (fanout.length > 0) {
  const ratio = sp(fanout.map((r) => r.elapsedMs / r.minimumMs));
  const elapsed = sp(fanout.map((r) => r.elapsedMs / 1000));
  const share = sp(fanout.map((r) => (100 * r.rateLimited) / r.postMessageCalls));
  const dup = fanout.reduce((s, r) => s + r.duplicates, 0);
  const lost = fanout.reduce((s, r) => s + r.lost + r.undelivered, 0);
  const first = fanout[0] as FanoutRun;
  const ok = {
    ratio: ratio.median <= TARGETS.fanoutRatio,
    share: share.max <= TARGETS.fanout429Share * 100,
    exact: dup === 0 && lost === 0,
  };
  rows.push(
    info(
      'fan-out',
      `${first.invites} invites: elapsed (least the limits allow: ${fmt(first.minimumMs / 1000, ' s')})`,
      elapsed,
      ' s',
    ),
    {
      ...info('fan-out', 'elapsed / least', ratio, 'x', 3),
      target: `<= ${TARGETS.fanoutRatio}x`,
      result: gate(ok.ratio),
    },
    {
      ...info('fan-out', '429s answered / chat.postMessage calls', share, ' %', 2),
      target: `<= ${TARGETS.fanout429Share * 100} %`,
      result: gate(ok.share),
    },
    {
      case: 'fan-out',
      measure: 'duplicates / lost (all runs)',
      median: `${dup} / ${lost}`,
      spread: '',
      target: '0 / 0',
      result: gate(ok.exact),
    },
  );
  results.fanout = {
    invites: first.invites,
    limits: {
      workspacePostMessagePerSecond: WORKSPACE_PER_SECOND,
      perChannelPerSecond: fakeLimits.postMessagePerChannelPerSecond,
      tier3PerMinute: fakeLimits.perMethodPerMinute['chat.update'],
      scale: SCALE,
    },
    appBudgets,
    minimumS: round(first.minimumMs / 1000),
    elapsedS: spJson(elapsed),
    ratio: spJson(ratio, 3),
    rateLimitedPercent: spJson(share, 3),
    duplicates: dup,
    lost,
    runs: fanout.map((r) => ({
      elapsedS: round(r.elapsedMs / 1000),
      postMessageCalls: r.postMessageCalls,
      rateLimited: r.rateLimited,
      duplicates: r.duplicates,
      lost: r.lost,
      undelivered: r.undelivered,
      stallMs: round(r.stallMs, 1),
    })),
    target: `elapsed <= ${TARGETS.fanoutRatio}x least; 429s <= 1 %; 0 duplicates; 0 lost`,
    pass: ok.ratio && ok.share && ok.exact,
  };
}

/** The storm and the waves: both apps' acks, the ratio, throughput, nothing lost. */
function submissions(name: 'storm' | 'wave', runs: StormRun[], target: number, title: string): void {
  if (runs.length === 0) return;
  const first = runs[0] as StormRun;
  const c = name === 'storm' ? 'submit storm' : 'submit waves';
  const ratio = sp(runs.map((r) => r.appAckP99 / r.bareAckP99));
  const lost = runs.reduce((s, r) => s + r.lost + r.extra, 0);
  const figures = {
    appAckP50Ms: sp(runs.map((r) => r.appAckP50)),
    bareAckP50Ms: sp(runs.map((r) => r.bareAckP50)),
    appAckP99Ms: sp(runs.map((r) => r.appAckP99)),
    bareAckP99Ms: sp(runs.map((r) => r.bareAckP99)),
    answersPerSecond: sp(runs.map((r) => r.submissions / (r.appElapsedMs / 1000))),
    appCpuMsPerSubmission: sp(runs.map((r) => r.appCpuMs)),
    bareCpuMsPerSubmission: sp(runs.map((r) => r.bareCpuMs)),
  };
  rows.push(
    info(c, `${first.submissions} submissions, ${title}: p50 ack, teamhealth`, figures.appAckP50Ms, ' ms'),
    info(c, 'p50 ack, bare Bolt app', figures.bareAckP50Ms, ' ms'),
    info(c, 'p99 ack, teamhealth', figures.appAckP99Ms, ' ms'),
    info(c, 'p99 ack, bare Bolt app', figures.bareAckP99Ms, ' ms'),
    ratioRow(c, ratio, target),
    info(c, 'answers stored per second (teamhealth)', figures.answersPerSecond, '/s', 0),
    info(c, 'CPU per submission, teamhealth (all threads)', figures.appCpuMsPerSubmission, ' ms', 2),
    info(c, 'CPU per submission, bare Bolt app', figures.bareCpuMsPerSubmission, ' ms', 2),
    {
      case: c,
      measure: 'acknowledged but lost, or stored twice (all runs)',
      median: String(lost),
      spread: '',
      target: '0',
      result: gate(lost === 0),
    },
  );
  results[name] = {
    submissions: first.submissions,
    how: title,
    ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, spJson(v)])),
    p99Ratio: spJson(ratio),
    lost,
    runs: runs.map((r) => ({
      appAckP99Ms: round(r.appAckP99),
      appAckMaxMs: round(r.appAckMax),
      bareAckP99Ms: round(r.bareAckP99),
      acknowledged: r.acknowledged,
      lost: r.lost,
      extra: r.extra,
      appStallMs: round(r.appStallMs, 1),
      bareStallMs: round(r.bareStallMs, 1),
    })),
    target: `p99 ratio <= ${target}; 0 lost`,
    pass: ratio.median <= target && lost === 0,
  };
}
submissions('storm', storm, TARGETS.stormP99Ratio, `${SETTINGS.storm.inFlight} in flight`);
submissions('wave', wave, TARGETS.waveP99Ratio, `waves of ${SETTINGS.wave.chunk} sent at one instant`);

// Sizing for a large organisation: the digest of a lead of 1,000 teams and the minute tick over them
// measured; the rest projected from this run's figures (bytes per answer, the ticks' times, response
// rate) and the app's defaults. The tick is one synchronous call: its time is an event-loop stall.
if (sizing && ticks && history) {
  const k = ticks;
  const z = SETTINGS.sizing;
  const config = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench' });
  const budgets = config.slackBudgets;
  const rate = history.answers / history.invites;
  const perAnswer = historyBytes / history.answers;
  const answersPerYear = z.people * z.roundsPerYear * rate;
  const bytesPerYear = answersPerYear * perAnswer;
  const keptYears = config.retentionWeeks / z.roundsPerYear;
  const keptBytes = bytesPerYear * keptYears;
  const c = `sizing ${z.people / 1000}k`;
  const people = `${z.people.toLocaleString('en')} people`;
  // Every open round holds one fixed-size slot per invitee until it closes; freed pages are reused by
  // the next rounds (the file does not shrink: nothing rewrites it).
  const openSlotsBytes = z.people * SLOT_BYTES;
  const teams = Math.ceil(z.people / z.teamSize);
  const scale = teams / k.teams;
  const idle = sp(k.idleMs);
  /** What a tick did, its non-zero counts. */
  const did = (r: TickResult) =>
    Object.entries(r)
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ') || 'nothing';
  // Every round that opens or closes in a minute is worked in the same synchronous call.
  const perRoundMs = Math.max(k.open.ms, k.close.ms) / k.teams;
  const limitTeams = Math.floor(ACK_DEADLINE_MS / perRoundMs);
  const tickRow = (what: string, ms: number, detail: string): Row => ({
    case: c,
    measure: `minute tick over ${k.teams} teams (measured, in-process): ${what}`,
    median: fmt(ms, ' ms', ms < 10 ? 1 : 0),
    spread: `${detail}; x${scale.toFixed(1)} for ${teams.toLocaleString('en')} teams: ${fmt((ms * scale) / 1000, ' s', 2)}`,
    target: '',
    result: '',
  });
  const hours = (n: number, perMinute: number) => n / perMinute / 60;
  const invitesH = hours(z.people, budgets['chat.postMessage']);
  const recordedH = hours(z.people * rate, budgets['chat.update']);
  const closedH = hours(z.people * (1 - rate), budgets['chat.update']);
  const fanoutRatio =
    fanout.length > 0 ? spread(fanout.map((r) => r.elapsedMs / r.minimumMs)).median : undefined;
  const digest = sp(sizing.digestMs);
  rows.push(
    {
      ...info(
        c,
        `/teamhealth digest of a lead of ${SETTINGS.history.teams} teams (measured): until the reply`,
        digest,
        ' ms',
        0,
      ),
      spread: `${range(digest, ' ms', 0)}; cold ${fmt(sizing.digestColdMs, ' ms', 0)}; ${sizing.digestBlocks} blocks`,
    },
    {
      case: c,
      measure: 'RSS peak over those digests (measured)',
      median: fmt(sizing.end.peakRss / MB, ' MB', 0),
      spread: `${fmt(sizing.idle.rss / MB, ' MB', 0)} before them`,
      target: '',
      result: '',
    },
    {
      case: c,
      measure: `${people}, one round: invites at ${budgets['chat.postMessage']}/min (chat.postMessage budget)`,
      median: fmt(invitesH, ' h', 1),
      spread:
        fanoutRatio === undefined
          ? 'least time'
          : `x${fanoutRatio.toFixed(2)} measured pacing: ${fmt(invitesH * fanoutRatio, ' h', 1)}`,
      target: '',
      result: '',
    },
    {
      case: c,
      measure: `same round: "recorded" / "closed" DM updates at ${budgets['chat.update']}/min (chat.update, Tier 3)`,
      median: fmt(recordedH + closedH, ' h', 1),
      spread: `${fmt(recordedH, ' h', 1)} + ${fmt(closedH, ' h', 1)} (response rate ${fmt(rate * 100, ' %', 0)})`,
      target: '',
      result: '',
    },
    {
      case: c,
      measure: `database growth a year (${z.roundsPerYear} rounds, ${fmt(perAnswer, ' B', 0)} per answer given)`,
      median: fmt(bytesPerYear / MB, ' MB', 0),
      spread: `${fmt(keptBytes / MB, ' MB', 0)} kept at ${config.retentionWeeks} weeks of retention`,
      target: '',
      result: '',
    },
    {
      case: c,
      measure: `open rounds' answer slots (${SLOT_BYTES} B per invitee, freed at close, reused)`,
      median: fmt(openSlotsBytes / MB, ' MB', 0),
      spread: 'the file keeps this high-water mark',
      target: '',
      result: '',
    },
    tickRow('nothing due (every minute)', idle.median, range(idle, ' ms', 1)),
    tickRow('every round opens at the same minute', k.open.ms, `${did(k.open.result)}; ${k.invites} invites`),
    tickRow(
      'their reminders',
      k.remind.ms,
      `${did(k.remind.result)}; after ${k.answers} answers (${fmt((100 * k.answers) / k.invites, ' %', 0)})`,
    ),
    tickRow('every round closes at the same minute', k.close.ms, `${did(k.close.result)}; one checkpoint`),
    {
      case: c,
      measure: `one process's limit: teams whose rounds open in one minute before that tick alone blocks for Slack's ${ACK_DEADLINE_MS / 1000} s ack deadline`,
      median: `${limitTeams.toLocaleString('en')} teams`,
      spread: `about ${(limitTeams * z.teamSize).toLocaleString('en')} people at ${z.teamSize} a team; ${fmt(perRoundMs, ' ms', 2)} a round (worst of open and close)`,
      target: '',
      result: '',
    },
  );
  results.sizing = {
    assumptions: {
      ...z,
      responseRate: round(rate, 3),
      budgetsPerMinute: budgets,
      retentionWeeks: config.retentionWeeks,
    },
    measured: {
      digestTeams: SETTINGS.history.teams,
      digestReplyMs: spJson(digest, 1),
      digestColdMs: round(sizing.digestColdMs, 1),
      digestBlocks: sizing.digestBlocks,
      stallMs: round(sizing.stallMs, 1),
      rssBeforeMb: round(sizing.idle.rss / MB, 1),
      peakRssMb: round(sizing.end.peakRss / MB, 1),
      ticks: {
        teams: k.teams,
        idleMs: spJson(idle, 2),
        open: { ms: round(k.open.ms, 1), ...k.open.result, invites: k.invites },
        remind: { ms: round(k.remind.ms, 1), ...k.remind.result, answersBefore: k.answers },
        close: { ms: round(k.close.ms, 1), ...k.close.result },
      },
    },
    projected: {
      invitesHours: round(invitesH, 2),
      invitesHoursAtMeasuredPacing: fanoutRatio === undefined ? null : round(invitesH * fanoutRatio, 2),
      dmUpdateHours: round(recordedH + closedH, 2),
      databaseMbPerYear: round(bytesPerYear / MB, 0),
      databaseMbKept: round(keptBytes / MB, 0),
      openSlotsMb: round(openSlotsBytes / MB, 0),
      teams,
      tickIdleMs: round(idle.median * scale, 1),
      tickOpenAllMs: round(k.open.ms * scale, 0),
      tickRemindAllMs: round(k.remind.ms * scale, 0),
      tickCloseAllMs: round(k.close.ms * scale, 0),
      teamsOpeningInOneMinuteWithinAckDeadline: limitTeams,
    },
  };
}

// The worst event-loop delay per case (over all its runs), in the app and, where it ran too, the bare app.
if (report && wants('report')) stallRow('reports', report.stalls.report.appMs, report.stalls.report.bareMs);
if (report && wants('digest')) stallRow('digests', report.stalls.digest.appMs);
if (report && wants('footprint'))
  stallRow('a close on the 600k-answer history and its WAL checkpoint', report.stalls.maintenance.appMs);
if (fanout.length > 0)
  stallRow('fan-out, from the tick that opened the rounds', Math.max(...fanout.map((r) => r.stallMs)));
const worst = (runs: StormRun[], k: 'appStallMs' | 'bareStallMs') => Math.max(...runs.map((r) => r[k]));
if (storm.length > 0) stallRow('submit storm', worst(storm, 'appStallMs'), worst(storm, 'bareStallMs'));
if (wave.length > 0) stallRow('submit waves', worst(wave, 'appStallMs'), worst(wave, 'bareStallMs'));
if (sizing) stallRow(`digests of a lead of ${SETTINGS.history.teams} teams`, sizing.stallMs);
results.eventLoopWorstDelayMs = { target: `<= ${ABSOLUTE.stallMs} ms (reported)`, cases: stalls };
if (chart) {
  const c = chartReport(chart);
  rows.push(...c.rows);
  results.chart = c.results;
}

// ---- output -------------------------------------------------------------------------------------------

const loadAtEnd = load();
const header = [
  `apps run as npm start runs them: node ${startFlags().join(' ') || '(no flags)'} dist/start.cjs; bare Bolt app: bench/lib/bare.mjs`,
  `load average at start ${loadAtStart.join(', ')}; at end ${loadAtEnd.join(', ')} (1, 5, 15 min; ${machine.cores} cores)`,
  `medians over the runs, min–max in the spread column${quick ? '; QUICK run' : ''}`,
];
const table = [
  '| case | measure | median | spread | target | result |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.measure} | ${r.median} | ${r.spread} | ${r.target} | ${r.result} |`),
];
process.stdout.write(
  `\n${header.join('\n')}\n\n${table.join('\n')}\n\n` +
    '* absolute target: reported, does not set the exit status.\n',
);

if (write) {
  const out = {
    date: new Date().toISOString().slice(0, 10),
    machine,
    loadAverage: { start: loadAtStart.map(Number), end: loadAtEnd.map(Number) },
    settings: SETTINGS,
    targets: TARGETS,
    absoluteTargets: ABSOLUTE,
    ...results,
    table: rows,
  };
  const file = join(import.meta.dirname, 'results.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
const failed = rows.filter((r) => r.result === 'FAIL');
if (failed.length > 0) {
  process.stdout.write(`failed: ${failed.map((r) => `${r.case} — ${r.measure}`).join('; ')}\n`);
  process.exitCode = 1;
}
