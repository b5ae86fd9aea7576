import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension } from './dimensions.ts';
import { compareFlags, computeFlags, type Flag } from './flags.ts';
import { mean } from './stats.ts';
import type { RoundTally } from './tally.ts';
import { type Trend, trend } from './trend.ts';

export type Means = Record<Dimension, number>;

/** Per-dimension means of a round; null when nobody answered. */
export function meansOf(t: RoundTally): Means | null {
  if (t.responded === 0) return null;
  return Object.fromEntries(DIMENSIONS.map((d) => [d, mean(t.distributions[d]) ?? 0])) as Means;
}

/** Where a team stands after its latest closed round, with only what the anonymity rule lets us show. */
export interface TeamHealth {
  team: string;
  managerId: string;
  latest: RoundTally | null;
  shown: boolean;
  /** The latest round's means, when it is shown. */
  means: Means | null;
  /** The means of the shown round before it, for arrows. */
  previousMeans: Means | null;
  flags: Flag[];
  trend: Trend;
}

/** How many closed rounds the flags and the trend read. */
export const HISTORY_ROUNDS = 16;
export const TREND_ROUNDS = 8;

export function assessTeam(
  team: { slug: string; managerId: string },
  history: readonly RoundTally[],
): TeamHealth {
  const latest = history.at(-1) ?? null;
  const shown = latest !== null && isShown(latest);
  const previous = history.slice(0, -1).reverse().find(isShown);
  return {
    team: team.slug,
    managerId: team.managerId,
    latest,
    shown,
    means: shown && latest ? meansOf(latest) : null,
    previousMeans: shown && previous ? meansOf(previous) : null,
    flags: computeFlags(history).sort(compareFlags),
    trend: trend(history, TREND_ROUNDS),
  };
}

/** Higher is riskier: critical flags first, then warnings, then the lowest shown mean. */
export function riskScore(h: TeamHealth): number {
  const critical = h.flags.filter((f) => f.severity === 'critical').length;
  const warnings = h.flags.length - critical;
  const lowest = h.means ? Math.min(...Object.values(h.means)) : 5;
  return critical * 100 + warnings * 10 + (5 - lowest);
}

/** One closed round as the export shows it: aggregates only, and means only when shown. */
export interface RoundRecord {
  team: string;
  round: number;
  openedAt: string;
  closedAt: string | null;
  invited: number;
  responded: number;
  shown: boolean;
  means: Means | null;
  flags: Array<{ kind: Flag['kind']; dimension: Flag['dimension']; severity: Flag['severity'] }>;
}

/** `history` oldest first; each round's flags are judged on the rounds up to it, as they were at its close. */
export function roundRecords(team: string, history: readonly RoundTally[]): RoundRecord[] {
  return history.map((r, i) => {
    const shown = isShown(r);
    const upTo = history.slice(Math.max(0, i + 1 - HISTORY_ROUNDS), i + 1);
    return {
      team,
      round: r.number,
      openedAt: r.openedAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
      invited: r.invited,
      responded: r.responded,
      shown,
      means: shown ? meansOf(r) : null,
      flags: computeFlags(upTo)
        .sort(compareFlags)
        .map((f) => ({ kind: f.kind, dimension: f.dimension, severity: f.severity })),
    };
  });
}
