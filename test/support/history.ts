import fc from 'fast-check';
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
    // Judged under the default threshold, as a round that opened with MIN_RESPONSES=5.
    minResponses: 5,
    shown: responded >= 5,
    distributions: Object.fromEntries(DIMENSIONS.map((d) => [d, dist(of(d))])) as Record<
      Dimension,
      Distribution
    >,
  };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Random team histories for property tests: per dimension a level that drifts, mostly down and
 * sometimes sharply (so drops, slides and low levels all occur), answers spread around it, now and
 * then a few people far below the rest, and a number answering that varies, so some rounds are hidden
 * and participation falls.
 */
export const historyArb = (maxRounds = 16): fc.Arbitrary<RoundTally[]> =>
  fc
    .record({
      invited: fc.integer({ min: 3, max: 10 }),
      /** Starting levels, in tenths of a point. */
      start: fc.array(fc.integer({ min: 15, max: 48 }), { minLength: 4, maxLength: 4 }),
      rounds: fc.array(
        fc.record({
          answered: fc.integer({ min: 0, max: 10 }),
          /** Each dimension's move this round, in tenths. */
          moves: fc.array(fc.integer({ min: -9, max: 4 }), { minLength: 4, maxLength: 4 }),
          /** Each person's distance from the level, in half points. */
          spread: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 10, maxLength: 10 }),
          /** Sometimes a few people answer 1 whatever the level: a split team. */
          split: fc.oneof(
            { weight: 4, arbitrary: fc.constant(0) },
            { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) },
          ),
        }),
        { minLength: 1, maxLength: maxRounds },
      ),
    })
    .map(({ invited, start, rounds }) => {
      let level = start;
      return rounds.map((r, i) => {
        level = level.map((l, k) => clamp(l + (r.moves[k] ?? 0), 10, 50));
        const responded = Math.min(r.answered, invited);
        const answers = (k: number): number[] =>
          Array.from({ length: responded }, (_, j) =>
            j < r.split
              ? 1
              : clamp(Math.round((level[k] ?? 30) / 10 + (r.spread[(j + k) % 10] ?? 0) / 2), 1, 5),
          );
        return tally(
          i + 1,
          Object.fromEntries(DIMENSIONS.map((d, k) => [d, answers(k)])) as Record<Dimension, number[]>,
          { invited },
        );
      });
    });
