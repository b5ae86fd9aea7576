// `npm run bench`: builds its own data (seeded), runs each case several times, prints a table (median and
// min–max over the runs) and writes bench/results.json. Not part of `npm test`.
//   npm run bench                  the full run (a few minutes on 2 cores)
//   npm run bench -- --quick       fewer and smaller runs, to try the bench itself
//   npm run bench -- --only=report,digest,footprint,fanout,storm,chart
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { type ChartCase, chartCase, chartReport } from './cases/chart.ts';
import { type FanoutRun, fanoutCase } from './cases/fanout.ts';
import { type ReportCase, reportCase } from './cases/report.ts';
import { type StormRun, stormCase } from './cases/storm.ts';
import { startFlags } from './lib/child.ts';
import { workDir } from './lib/common.ts';
import { buildHistory, type History } from './lib/history.ts';
import { appBudgets, fakeLimits, SCALE, WORKSPACE_PER_SECOND } from './lib/limits.ts';
import { progress } from './lib/progress.ts';
import { round, type Spread, spread } from './lib/stats.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (name: string) => !only || only.includes(name);

const SETTINGS = {
  history: { teams: 1000, rounds: 104, leads: 5, seed: 20240601 },
  report: quick
    ? { runs: 2, requests: 200, warmup: 100, digestRuns: 5, gapMs: 2 }
    : { runs: 5, requests: 600, warmup: 300, digestRuns: 20, gapMs: 2 },
  fanout: quick ? { runs: 1, teams: 100, size: 10 } : { runs: 3, teams: 500, size: 10 },
  storm: quick
    ? { runs: 2, teams: 200, size: 10, concurrency: 50 }
    : { runs: 5, teams: 200, size: 10, concurrency: 50 },
  chart: quick ? { teamRuns: 10, leadRuns: 3 } : { teamRuns: 40, leadRuns: 9 },
};

const TARGETS = {
  reportP99Ratio: 1.5,
  fanoutRatio: 1.1,
  fanout429Share: 0.01,
  stormP99Ms: 100,
  digestMs: 50,
  rssMb: 150,
};

const MB = 1024 * 1024;
const needsHistory = wants('report') || wants('digest') || wants('footprint');
const steps =
  (needsHistory ? 2 : 0) +
  (wants('fanout') ? SETTINGS.fanout.runs : 0) +
  (wants('storm') ? SETTINGS.storm.runs : 0) +
  (wants('chart') ? 1 : 0);
const p = progress(steps);
const dir = workDir();

let history: History | undefined;
let historyBytes = 0;
let report: ReportCase | undefined;
const fanout: FanoutRun[] = [];
const storm: StormRun[] = [];
let chart: ChartCase | undefined;

try {
  if (needsHistory) {
    p.step(`generating ${SETTINGS.history.teams} teams x ${SETTINGS.history.rounds} rounds of history`);
    history = buildHistory(join(dir, 'history.db'), SETTINGS.history);
    historyBytes = statSync(history.path).size;
    p.step('/teamhealth report against the app and a bare Bolt app; digests; memory');
    report = await reportCase({
      historyPath: history.path,
      teams: SETTINGS.history.teams,
      leads: SETTINGS.history.leads,
      ...SETTINGS.report,
      progress: p,
    });
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
  if (wants('storm')) {
    for (let r = 1; r <= SETTINGS.storm.runs; r++) {
      p.step(`submit storm, run ${r}`);
      storm.push(
        await stormCase({
          ...SETTINGS.storm,
          budgets: appBudgets,
          seed: r,
          run: r,
          runs: SETTINGS.storm.runs,
          progress: p,
        }),
      );
    }
  }
  if (wants('chart')) {
    p.step('trend charts: one team, and a lead of 200 teams');
    chart = await chartCase({ dir, ...SETTINGS.chart, progress: p });
  }
} finally {
  p.done();
  rmSync(dir, { recursive: true, force: true });
}

// ---- figures ------------------------------------------------------------------------------------------

type Row = {
  case: string;
  measure: string;
  median: string;
  spread: string;
  target: string;
  result: 'pass' | 'FAIL' | '';
};
const rows: Row[] = [];
const fmt = (x: number, unit: string, digits = 1) => `${x.toFixed(digits)}${unit}`;
const range = (s: Spread, unit: string, digits = 1) =>
  s.runs > 1 ? `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}${unit}` : '(1 run)';
const verdict = (ok: boolean): Row['result'] => (ok ? 'pass' : 'FAIL');
const sp = (xs: number[]) => spread(xs);
const spJson = (s: Spread, digits = 2) => ({
  median: round(s.median, digits),
  min: round(s.min, digits),
  max: round(s.max, digits),
  runs: s.runs,
});

const results: Record<string, unknown> = {};

if (report && history) {
  const appP50 = sp(report.runs.map((r) => r.appAckP50));
  const bareP50 = sp(report.runs.map((r) => r.bareAckP50));
  const appP99 = sp(report.runs.map((r) => r.appAckP99));
  const bareP99 = sp(report.runs.map((r) => r.bareAckP99));
  const ratio = sp(report.runs.map((r) => r.appAckP99 / r.bareAckP99));
  const replyP50 = sp(report.runs.map((r) => r.replyP50));
  const replyP99 = sp(report.runs.map((r) => r.replyP99));
  const digest = sp(report.digestMs);
  const bytesPerAnswer = historyBytes / history.answers;
  if (wants('report')) {
    rows.push(
      {
        case: 'report ack',
        measure: 'p50 ack, teamhealth',
        median: fmt(appP50.median, ' ms', 2),
        spread: range(appP50, ' ms', 2),
        target: '',
        result: '',
      },
      {
        case: 'report ack',
        measure: 'p50 ack, bare Bolt app',
        median: fmt(bareP50.median, ' ms', 2),
        spread: range(bareP50, ' ms', 2),
        target: '',
        result: '',
      },
      {
        case: 'report ack',
        measure: 'p99 ack, teamhealth',
        median: fmt(appP99.median, ' ms', 2),
        spread: range(appP99, ' ms', 2),
        target: '',
        result: '',
      },
      {
        case: 'report ack',
        measure: 'p99 ack, bare Bolt app',
        median: fmt(bareP99.median, ' ms', 2),
        spread: range(bareP99, ' ms', 2),
        target: '',
        result: '',
      },
      {
        case: 'report ack',
        measure: 'p99 ratio teamhealth / bare',
        median: fmt(ratio.median, 'x', 2),
        spread: range(ratio, 'x', 2),
        target: `<= ${TARGETS.reportP99Ratio}x`,
        result: verdict(ratio.median <= TARGETS.reportP99Ratio),
      },
      {
        case: 'report reply',
        measure: 'p50 until the report reached response_url',
        median: fmt(replyP50.median, ' ms', 2),
        spread: range(replyP50, ' ms', 2),
        target: '',
        result: '',
      },
      {
        case: 'report reply',
        measure: 'p99 until the report reached response_url',
        median: fmt(replyP99.median, ' ms', 2),
        spread: range(replyP99, ' ms', 2),
        target: '',
        result: '',
      },
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
    rows.push({
      case: 'digest',
      measure: `build, lead with ${report.digestTeams} teams`,
      median: fmt(digest.median, ' ms'),
      spread: range(digest, ' ms'),
      target: `<= ${TARGETS.digestMs} ms`,
      result: verdict(digest.median <= TARGETS.digestMs),
    });
    rows.push({
      case: 'digest',
      measure: 'first build after start (cold)',
      median: fmt(report.digestColdMs, ' ms'),
      spread: '',
      target: '',
      result: '',
    });
    results.digest = {
      teams: report.digestTeams,
      buildMs: spJson(digest),
      coldMs: round(report.digestColdMs),
      target: `<= ${TARGETS.digestMs} ms`,
      pass: digest.median <= TARGETS.digestMs,
    };
  }
  if (wants('footprint')) {
    const rss = report.loaded.rss / MB;
    rows.push(
      {
        case: 'footprint',
        measure: 'RSS, history loaded, after the reports and digests',
        median: fmt(rss, ' MB', 0),
        spread: `peak ${fmt(report.loaded.peakRss / MB, ' MB', 0)}`,
        target: `<= ${TARGETS.rssMb} MB`,
        result: verdict(rss <= TARGETS.rssMb),
      },
      {
        case: 'footprint',
        measure: 'RSS right after start',
        median: fmt(report.idle.rss / MB, ' MB', 0),
        spread: '',
        target: '',
        result: '',
      },
      {
        case: 'footprint',
        measure: `database bytes per answer (${(history.answers / 1000).toFixed(0)}k answers)`,
        median: fmt(bytesPerAnswer, ' B', 0),
        spread: `${fmt(historyBytes / MB, ' MB', 1)} file`,
        target: '',
        result: '',
      },
      {
        case: 'footprint',
        measure: 'privacy scrub (VACUUM) of that database',
        median: fmt(history.vacuumMs, ' ms', 0),
        spread: '',
        target: '',
        result: '',
      },
    );
    results.footprint = {
      nodeFlags: startFlags().join(' '),
      rssMb: round(rss, 1),
      peakRssMb: round(report.loaded.peakRss / MB, 1),
      rssAnonMb: round(report.loaded.rssAnon / MB, 1),
      rssFileMb: round(report.loaded.rssFile / MB, 1),
      heapUsedMb: round(report.loaded.heapUsed / MB, 1),
      heapTotalMb: round(report.loaded.heapTotal / MB, 1),
      idleRssMb: round(report.idle.rss / MB, 1),
      databaseBytes: historyBytes,
      answers: history.answers,
      bytesPerAnswer: round(bytesPerAnswer, 1),
      scrubMs: round(history.vacuumMs, 0),
      target: `rss <= ${TARGETS.rssMb} MB`,
      pass: rss <= TARGETS.rssMb,
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
  const share = sp(fanout.map((r) => r.rateLimited / r.postMessageCalls));
  const dup = fanout.reduce((s, r) => s + r.duplicates, 0);
  const lost = fanout.reduce((s, r) => s + r.lost + r.undelivered, 0);
  const first = fanout[0] as FanoutRun;
  const ok = {
    ratio: ratio.median <= TARGETS.fanoutRatio,
    share: share.max <= TARGETS.fanout429Share,
    exact: dup === 0 && lost === 0,
  };
  rows.push(
    {
      case: 'fan-out',
      measure: `${first.invites} invites: elapsed (minimum the limits allow ${fmt(first.minimumMs / 1000, ' s')})`,
      median: fmt(elapsed.median, ' s'),
      spread: range(elapsed, ' s'),
      target: '',
      result: '',
    },
    {
      case: 'fan-out',
      measure: 'elapsed / minimum',
      median: fmt(ratio.median, 'x', 3),
      spread: range(ratio, 'x', 3),
      target: `<= ${TARGETS.fanoutRatio}x`,
      result: verdict(ok.ratio),
    },
    {
      case: 'fan-out',
      measure: '429s answered / chat.postMessage calls',
      median: fmt(share.median * 100, ' %', 2),
      spread: range(
        { ...share, median: share.median * 100, min: share.min * 100, max: share.max * 100 },
        ' %',
        2,
      ),
      target: `<= ${TARGETS.fanout429Share * 100} %`,
      result: verdict(ok.share),
    },
    {
      case: 'fan-out',
      measure: 'duplicates / lost (all runs)',
      median: `${dup} / ${lost}`,
      spread: '',
      target: '0 / 0',
      result: verdict(ok.exact),
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
    rateLimitedShare: spJson(share, 4),
    duplicates: dup,
    lost,
    runs: fanout.map((r) => ({
      elapsedS: round(r.elapsedMs / 1000),
      postMessageCalls: r.postMessageCalls,
      rateLimited: r.rateLimited,
      duplicates: r.duplicates,
      lost: r.lost,
      undelivered: r.undelivered,
      tickMs: round(r.tickMs, 0),
    })),
    target: `elapsed <= ${TARGETS.fanoutRatio}x minimum; 429s <= 1 %; 0 duplicates; 0 lost`,
    pass: ok.ratio && ok.share && ok.exact,
  };
}

if (storm.length > 0) {
  const p50 = sp(storm.map((r) => r.ackP50));
  const p99 = sp(storm.map((r) => r.ackP99));
  const lost = storm.reduce((s, r) => s + r.lost + r.extra, 0);
  const rate = sp(storm.map((r) => r.submissions / (r.elapsedMs / 1000)));
  const first = storm[0] as StormRun;
  rows.push(
    {
      case: 'submit storm',
      measure: `${first.submissions} submissions, ${SETTINGS.storm.concurrency} in flight: p50 ack`,
      median: fmt(p50.median, ' ms'),
      spread: range(p50, ' ms'),
      target: '',
      result: '',
    },
    {
      case: 'submit storm',
      measure: 'p99 ack',
      median: fmt(p99.median, ' ms'),
      spread: range(p99, ' ms'),
      target: `<= ${TARGETS.stormP99Ms} ms`,
      result: verdict(p99.median <= TARGETS.stormP99Ms),
    },
    {
      case: 'submit storm',
      measure: 'answers stored per second',
      median: fmt(rate.median, '/s', 0),
      spread: range(rate, '/s', 0),
      target: '',
      result: '',
    },
    {
      case: 'submit storm',
      measure: 'acknowledged but lost (all runs)',
      median: String(lost),
      spread: '',
      target: '0',
      result: verdict(lost === 0),
    },
  );
  results.storm = {
    submissions: first.submissions,
    concurrency: SETTINGS.storm.concurrency,
    ackP50Ms: spJson(p50),
    ackP99Ms: spJson(p99),
    answersPerSecond: spJson(rate, 0),
    lost,
    runs: storm.map((r) => ({
      ackP50Ms: round(r.ackP50),
      ackP99Ms: round(r.ackP99),
      ackMaxMs: round(r.ackMax),
      acknowledged: r.acknowledged,
      lost: r.lost,
      extra: r.extra,
      loopBlockedMaxMs: round(r.loopBlockedMaxMs),
    })),
    target: `p99 ack <= ${TARGETS.stormP99Ms} ms; 0 lost`,
    pass: p99.median <= TARGETS.stormP99Ms && lost === 0,
  };
}

if (chart) {
  const c = chartReport(chart);
  rows.push(...c.rows);
  results.chart = c.results;
}

// ---- output -------------------------------------------------------------------------------------------

const cpu = cpus()[0]?.model ?? 'unknown';
const machine = {
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  cpu,
  memoryGb: round(totalmem() / 1024 ** 3, 1),
};
const header = [
  `teamhealth bench — ${new Date().toISOString().slice(0, 10)}, node ${machine.node}, ${machine.cpus} x ${cpu}`,
  `app run as npm start runs it (node flags: ${startFlags().join(' ') || 'none'}); medians over the runs, min–max in the spread column${quick ? '; QUICK run' : ''}`,
];
const table = [
  '| case | measure | median | spread | target | result |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.measure} | ${r.median} | ${r.spread} | ${r.target} | ${r.result} |`),
];
process.stdout.write(`\n${header.join('\n')}\n\n${table.join('\n')}\n`);

const out = {
  date: new Date().toISOString().slice(0, 10),
  quick,
  machine,
  settings: SETTINGS,
  targets: TARGETS,
  ...results,
  table: rows,
};
const file = join(dirname(new URL(import.meta.url).pathname), 'results.json');
if (!only && !quick) {
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
} else {
  process.stdout.write('\n(partial or quick run: bench/results.json left as it was)\n');
}
const failed = rows.filter((r) => r.result === 'FAIL');
if (failed.length > 0) process.exitCode = 1;
