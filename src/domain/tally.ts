import type { Dimension, Distribution } from './dimensions.ts';

/**
 * What one round amounts to, with nothing that points at a person: how many were invited,
 * how many answered, and per dimension how many gave each score.
 */
export interface RoundTally {
  roundId: number;
  /** The team's own round number, 1, 2, … */
  number: number;
  openedAt: Date;
  closedAt: Date | null;
  invited: number;
  responded: number;
  distributions: Record<Dimension, Distribution>;
}
