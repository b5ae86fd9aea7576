import { DIMENSIONS, type Dimension, type Distribution } from '../../src/domain/dimensions.ts';
import type { RoundTally } from '../../src/domain/tally.ts';

/** A distribution from a list of answers, e.g. [4, 4, 3]. */
export const dist = (answers: readonly number[]): Distribution => {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const a of answers) d[(a - 1) as 0 | 1 | 2 | 3 | 4] += 1;
  return d;
};

/**
 * A closed round numbered `number`: `answers` for every dimension, or per dimension with `rest` for the
 * others; `invited` defaults to the number of answers.
 */
export function tally(
  number: number,
  answers: readonly number[] | Partial<Record<Dimension, readonly number[]>>,
  options: { invited?: number; rest?: readonly number[] } = {},
): RoundTally {
  const of = (d: Dimension): readonly number[] =>
    Array.isArray(answers)
      ? (answers as readonly number[])
      : ((answers as Partial<Record<Dimension, readonly number[]>>)[d] ?? options.rest ?? []);
  const responded = of('energy').length;
  const openedAt = new Date(Date.UTC(2025, 0, 6 + 7 * number));
  return {
    roundId: 1000 + number,
    number,
    openedAt,
    closedAt: new Date(openedAt.getTime() + 72 * 3_600_000),
    invited: options.invited ?? responded,
    responded,
    distributions: Object.fromEntries(DIMENSIONS.map((d) => [d, dist(of(d))])) as Record<
      Dimension,
      Distribution
    >,
  };
}
