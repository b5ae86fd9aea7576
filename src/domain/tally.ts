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
  /** The threshold the round opened with. */
  minResponses: number;
  /**
   * Whether its figures may be shown: at least `minResponses` answered and their answers could be
   * read. A hidden round keeps only its participation counts; its distributions are empty.
   */
  shown: boolean;
  distributions: Record<Dimension, Distribution>;
}
