import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension, type Distribution } from './dimensions.ts';
import type { Note } from './notes.ts';
import { mean } from './stats.ts';
import type { RoundTally } from './tally.ts';

export interface DimensionSummary {
  dimension: Dimension;
  mean: number;
  distribution: Distribution;
  /** Against the latest earlier shown round; null when there is none. */
  change: number | null;
  /** That round's mean; null when there is none. */
  previous: number | null;
}

export interface RoundSummary {
  team: string;
  roundId: number;
  number: number;
  invited: number;
  responded: number;
  minResponses: number;
  /** False when too few answered: then dimensions and notes are empty. */
  shown: boolean;
  dimensions: DimensionSummary[];
  notes: Note[];
}

/** Fisher–Yates with an injected random source, so notes come out in no telling order. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The anonymized summary of one closed round. `earlier` are the team's rounds before it,
 * oldest first; hidden ones are skipped when looking for the round to compare with.
 */
export function summarize(
  team: string,
  current: RoundTally,
  earlier: readonly RoundTally[],
  notes: readonly Note[],
  random: () => number,
): RoundSummary {
  const base = {
    team,
    roundId: current.roundId,
    number: current.number,
    invited: current.invited,
    responded: current.responded,
    minResponses: current.minResponses,
  };
  if (!isShown(current)) return { ...base, shown: false, dimensions: [], notes: [] };
  const previous = [...earlier].reverse().find(isShown);
  const dimensions = DIMENSIONS.map((dimension): DimensionSummary => {
    const distribution = current.distributions[dimension];
    const m = mean(distribution) as number;
    const before = previous ? mean(previous.distributions[dimension]) : null;
    return {
      dimension,
      mean: m,
      distribution,
      change: before === null ? null : m - before,
      previous: before,
    };
  });
  return { ...base, shown: true, dimensions, notes: shuffle(notes, random) };
}
