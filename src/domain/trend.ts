import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension } from './dimensions.ts';
import { mean } from './stats.ts';
import type { RoundTally } from './tally.ts';

/** The last rounds of a team, per dimension as numbers and a sparkline. */
export interface Trend {
  rounds: Array<{ number: number; shown: boolean; responded: number; invited: number }>;
  /** `means[i]` belongs to `rounds[i]`; null (and a gap in the sparkline) for a hidden round. */
  dimensions: Record<Dimension, { means: Array<number | null>; sparkline: string }>;
}

/** Bars from 1 (lowest) to 5 (highest), on the same fixed scale for every team. */
export const SPARK_BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** What a hidden round looks like in a sparkline: a gap, never a low bar. */
export const SPARK_GAP = ' ';

/** The bar for a mean on the fixed 1..5 scale (1 → ▁, 5 → █); a gap for null. */
export const sparkChar = (m: number | null): string => {
  if (m === null || !Number.isFinite(m)) return SPARK_GAP;
  const clamped = Math.min(5, Math.max(1, m));
  const index = Math.round(((clamped - 1) / 4) * (SPARK_BARS.length - 1));
  return SPARK_BARS[index] ?? SPARK_GAP;
};

/** One character per round: bars for shown rounds, gaps for hidden ones (never interpolated). */
export const sparkline = (means: ReadonlyArray<number | null>): string => means.map(sparkChar).join('');

/**
 * The last `rounds` closed rounds of `history` (oldest first). Hidden rounds keep their participation
 * counts but no means.
 */
export function trend(history: readonly RoundTally[], rounds = 8): Trend {
  const last = rounds > 0 ? history.slice(-rounds) : [];
  const shown = last.map(isShown);
  const dimensions = {} as Trend['dimensions'];
  for (const d of DIMENSIONS) {
    const means = last.map((r, i) => (shown[i] ? mean(r.distributions[d]) : null));
    dimensions[d] = { means, sparkline: sparkline(means) };
  }
  return {
    rounds: last.map((r, i) => ({
      number: r.number,
      shown: shown[i] ?? false,
      responded: r.responded,
      invited: r.invited,
    })),
    dimensions,
  };
}

/** Changes smaller than this (in points on the 1..5 scale) read as steady. */
export const ARROW_DEAD_BAND = 0.2;

/** ↑, ↓ or → for a change between two means (→ within the dead band); '' when either is missing. */
export function arrow(current: number | null, previous: number | null): string {
  if (current === null || previous === null || !Number.isFinite(current) || !Number.isFinite(previous))
    return '';
  const change = current - previous;
  // A tiny tolerance so a change of exactly 0.2 counts whatever floating point makes of it (2.9 − 2.7).
  if (change >= ARROW_DEAD_BAND - 1e-9) return '↑';
  if (change <= -ARROW_DEAD_BAND + 1e-9) return '↓';
  return '→';
}
