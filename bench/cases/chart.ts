// Trend charts: how long drawing one takes, in this process, from a team's rounds (or a lead's 200
// teams) to the PNG bytes that are uploaded. The rounds are read from SQLite first and not timed; a
// second lead figure includes that read, as the outbox does it at send time (usecases/charts.ts).
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { CHART_HISTORY, leadChart, teamChart } from '../../src/domain/chart.ts';
import { assessTeam, HISTORY_ROUNDS } from '../../src/domain/health.ts';
import type { RoundTally } from '../../src/domain/tally.ts';
import { createLogger } from '../../src/log.ts';
import { leadChartSvg, teamChartSvg } from '../../src/messages/chart.ts';
import { svgToPng } from '../../src/messages/png.ts';
import { createServices } from '../../src/services.ts';
import { chartFor } from '../../src/usecases/charts.ts';
import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { appEnv } from '../lib/common.ts';
import { buildHistory, leadId } from '../lib/history.ts';
import type { Progress } from '../lib/progress.ts';
import { round, type Spread, spread } from '../lib/stats.ts';

export const CHART_TARGETS = { teamMs: 50, leadMs: 500, leadTeams: 200 };

export interface ChartOptions {
  dir: string;
  /** Charts drawn per figure, after a few not counted (the first loads the renderer and the font). */
  teamRuns: number;
  leadRuns: number;
  progress: Progress;
}

export interface ChartCase {
  /** One team's chart: its rounds (in memory) → model → SVG → PNG. */
  teamMs: Spread;
  /** Of which the PNG (resvg drawing and encoding). */
  teamPngMs: Spread;
  teamBytes: number;
  /** The chart of a lead's 200 teams, the same way. */
  leadMs: Spread;
  leadPngMs: Spread;
  leadBytes: number;
  /** The lead's chart as the outbox makes it: reading the 200 teams' rounds from SQLite included. */
  leadFromDbMs: Spread;
}

/** Times `draw` over `runs` runs after `warmup` untimed ones; each run returns its PNG's share. */
async function time(
  runs: number,
  warmup: number,
  draw: (i: number) => Promise<{ pngMs: number; bytes: number }>,
): Promise<{ ms: number[]; pngMs: number[]; bytes: number }> {
  const ms: number[] = [];
  const pngMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    const r = await draw(i);
    if (i < warmup) continue;
    ms.push(performance.now() - started);
    pngMs.push(r.pngMs);
    bytes = r.bytes;
  }
  return { ms, pngMs, bytes };
}

async function png(svg: Parameters<typeof svgToPng>[0]): Promise<{ pngMs: number; bytes: number }> {
  const started = performance.now();
  const bytes = (await svgToPng(svg)).length;
  return { pngMs: performance.now() - started, bytes };
}

export async function chartCase(o: ChartOptions): Promise<ChartCase> {
  const teams = CHART_TARGETS.leadTeams;
  o.progress.detail(`generating ${teams} teams under one lead`);
  // One lead for all the teams; more rounds than a chart reads, so every chart is full.
  const history = buildHistory(join(o.dir, 'charts.db'), {
    teams,
    rounds: CHART_HISTORY + 4,
    leads: 1,
    seed: 20240611,
  });
  // The app's own services on that database (the fake Slack only answers auth.test at start-up).
  const fake = await startFakeSlack();
  const runtime = await createServices(parseConfig(appEnv(history.path, fake.url)), createLogger('error'));
  const s = runtime.services;
  try {
    const led = s.teams.ledBy(leadId(1));
    if (led.length !== teams) throw new Error(`expected ${teams} teams under the lead, found ${led.length}`);
    const histories = new Map<number, RoundTally[]>(
      led.map((t) => [t.id, s.rounds.closedTallies(t.id, CHART_HISTORY)]),
    );

    o.progress.detail('one team’s chart');
    const team = await time(o.teamRuns, 5, (i) => {
      const t = led[i % led.length] as (typeof led)[number];
      const chart = teamChart(t.slug, histories.get(t.id) ?? []);
      return png(teamChartSvg(chart));
    });

    o.progress.detail(`the chart of ${teams} teams`);
    const lead = await time(o.leadRuns, 2, () => {
      const chart = leadChart(
        leadId(1),
        led.map((t) => {
          const h = histories.get(t.id) ?? [];
          return { health: assessTeam(t, h.slice(-HISTORY_ROUNDS)), chart: teamChart(t.slug, h) };
        }),
      );
      return png(leadChartSvg(chart));
    });

    o.progress.detail(`the chart of ${teams} teams, read from the database`);
    const fromDb = await time(o.leadRuns, 1, async () => {
      const file = await chartFor(s, { chart: 'digest', leadId: leadId(1) });
      if (!file || file.userId !== leadId(1)) throw new Error('no lead chart');
      return { pngMs: Number.NaN, bytes: file.png.length };
    });

    return {
      teamMs: spread(team.ms),
      teamPngMs: spread(team.pngMs),
      teamBytes: team.bytes,
      leadMs: spread(lead.ms),
      leadPngMs: spread(lead.pngMs),
      leadBytes: lead.bytes,
      leadFromDbMs: spread(fromDb.ms),
    };
  } finally {
    await runtime.stop();
    await fake.close();
  }
}

/** The bench table's rows for this case, and its part of bench/results.json. */
export function chartReport(c: ChartCase) {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const range = (x: Spread) => `${x.min.toFixed(1)}–${x.max.toFixed(1)} ms (${x.runs} charts)`;
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB PNG`;
  const teamOk = c.teamMs.median <= CHART_TARGETS.teamMs;
  const leadOk = c.leadMs.median <= CHART_TARGETS.leadMs;
  const rows = [
    {
      case: 'trend chart',
      measure: 'one team: rounds → SVG → PNG',
      median: ms(c.teamMs.median),
      spread: range(c.teamMs),
      target: `<= ${CHART_TARGETS.teamMs} ms`,
      result: teamOk ? ('pass' as const) : ('FAIL' as const),
    },
    {
      case: 'trend chart',
      measure: `one team: of which the PNG (${kb(c.teamBytes)})`,
      median: ms(c.teamPngMs.median),
      spread: range(c.teamPngMs),
      target: '',
      result: '' as const,
    },
    {
      case: 'trend chart',
      measure: `lead with ${CHART_TARGETS.leadTeams} teams: rounds → SVG → PNG`,
      median: ms(c.leadMs.median),
      spread: range(c.leadMs),
      target: `<= ${CHART_TARGETS.leadMs} ms`,
      result: leadOk ? ('pass' as const) : ('FAIL' as const),
    },
    {
      case: 'trend chart',
      measure: `lead: of which the PNG (${kb(c.leadBytes)})`,
      median: ms(c.leadPngMs.median),
      spread: range(c.leadPngMs),
      target: '',
      result: '' as const,
    },
    {
      case: 'trend chart',
      measure: 'lead: as sent, reading the rounds from SQLite',
      median: ms(c.leadFromDbMs.median),
      spread: range(c.leadFromDbMs),
      target: '',
      result: '' as const,
    },
  ];
  const json = (x: Spread) => ({
    median: round(x.median),
    min: round(x.min),
    max: round(x.max),
    runs: x.runs,
  });
  const results = {
    teamMs: json(c.teamMs),
    teamPngMs: json(c.teamPngMs),
    teamPngBytes: c.teamBytes,
    leadTeams: CHART_TARGETS.leadTeams,
    leadMs: json(c.leadMs),
    leadPngMs: json(c.leadPngMs),
    leadPngBytes: c.leadBytes,
    leadFromDbMs: json(c.leadFromDbMs),
    target: `team <= ${CHART_TARGETS.teamMs} ms; lead of ${CHART_TARGETS.leadTeams} teams <= ${CHART_TARGETS.leadMs} ms`,
    pass: teamOk && leadOk,
  };
  return { rows, results };
}
