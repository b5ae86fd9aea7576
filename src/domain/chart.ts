import type { Action } from './actions.ts';
import { buildDigest } from './digest.ts';
import { HISTORY_ROUNDS, type RoundRecord, roundRecords, type TeamHealth } from './health.ts';
import type { RoundTally } from './tally.ts';

/** How many rounds a trend chart shows. */
export const CHART_ROUNDS = 12;

/** Closed rounds a chart reads: its own, and before the first of them the rounds its flags were judged on. */
export const CHART_HISTORY = CHART_ROUNDS + HISTORY_ROUNDS - 1;

/**
 * What a team's trend chart shows: its last rounds, oldest first, each with means only when the round
 * is shown (a hidden round is a gap, never a zero) and the flags it raised at its close.
 */
export interface TeamChart {
  team: string;
  rounds: RoundRecord[];
  /** The team's actions (open, done or dropped) that started in one of `rounds`, by number. */
  actions: ChartAction[];
}

/** What a chart marks of an action: where it starts and on which row; its text stays out of the picture. */
export type ChartAction = Pick<Action, 'number' | 'focus' | 'round'>;

/**
 * `history`: the team's closed rounds, oldest first (CHART_HISTORY of them is enough); `actions`: the
 * team's actions in any status. Only actions that started in a round the chart shows are kept: a later
 * one did not exist at the chart's round, and an earlier one has no place on its axis.
 */
export function teamChart(
  team: string,
  history: readonly RoundTally[],
  actions: readonly Action[] = [],
): TeamChart {
  const window = history.slice(-CHART_HISTORY);
  const first = Math.max(0, window.length - CHART_ROUNDS);
  const rounds = roundRecords(team, window).slice(first);
  const shownRounds = new Set(rounds.map((r) => r.round));
  return {
    team,
    rounds,
    actions: actions
      .filter((a) => shownRounds.has(a.round))
      .map((a) => ({ number: a.number, focus: a.focus, round: a.round }))
      .sort((a, b) => a.number - b.number),
  };
}

/** One row of a lead's chart: a team's trend and where it stands now. */
export interface LeadChartRow {
  chart: TeamChart;
  managerId: string;
  /** The worst severity among the team's current flags; null with none. */
  worst: TeamHealth['flags'][number]['severity'] | null;
}

/** Every team a lead leads, riskiest first (the digest's order). */
export interface LeadChart {
  leadId: string;
  rows: LeadChartRow[];
}

export function leadChart(
  leadId: string,
  teams: ReadonlyArray<{ health: TeamHealth; chart: TeamChart }>,
): LeadChart {
  const charts = new Map(teams.map((t) => [t.health, t.chart]));
  // The digest decides the order, so the chart and the text list the teams alike.
  const ordered = buildDigest(leadId, [...charts.keys()]).teams;
  return {
    leadId,
    rows: ordered.map((h) => ({
      chart: charts.get(h) as TeamChart,
      managerId: h.managerId,
      worst: h.flags[0]?.severity ?? null,
    })),
  };
}
