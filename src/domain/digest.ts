import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension } from './dimensions.ts';
import { type Means, riskScore, type TeamHealth } from './health.ts';
import type { RoundTally } from './tally.ts';

/**
 * Totals across a lead's teams. Only teams whose latest closed round is itself shown count, so a
 * hidden team's figures can never be recovered by subtracting the shown teams from the total.
 */
export interface OrgLine {
  teams: number;
  responded: number;
  means: Means | null;
}

export function orgLine(latestRounds: ReadonlyArray<RoundTally | null>): OrgLine {
  const shown = latestRounds.filter((r): r is RoundTally => r !== null && isShown(r));
  const responded = shown.reduce((n, r) => n + r.responded, 0);
  if (responded === 0) return { teams: 0, responded: 0, means: null };
  // Means weighted by responses: the mean of all answers pooled across the shown teams.
  const means = Object.fromEntries(
    DIMENSIONS.map((d): [Dimension, number] => {
      const sum = shown.reduce(
        (acc, r) => acc + r.distributions[d].reduce((s, n, i) => s + n * (i + 1), 0),
        0,
      );
      return [d, sum / responded];
    }),
  ) as Means;
  return { teams: shown.length, responded, means };
}

export interface Digest {
  leadId: string;
  /** Riskiest first. */
  teams: TeamHealth[];
  org: OrgLine;
}

export function buildDigest(leadId: string, teams: readonly TeamHealth[]): Digest {
  const sorted = [...teams].sort((a, b) => riskScore(b) - riskScore(a) || a.team.localeCompare(b.team));
  return {
    leadId,
    teams: sorted,
    org: orgLine(sorted.map((t) => t.latest)),
  };
}
