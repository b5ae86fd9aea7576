import type { RoundTally } from '../../src/domain/tally.ts';

/** A closed round before it is judged against a threshold. */
export type Unjudged = Omit<RoundTally, 'minResponses' | 'shown'>;

/** Rounds as if they had opened under threshold `min`: shown when at least that many answered. */
export const under = (min: number, rounds: readonly Unjudged[]): RoundTally[] =>
  rounds.map((r) => ({ ...r, minResponses: min, shown: r.responded >= min }));
