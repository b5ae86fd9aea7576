import type { Action } from './actions.ts';
import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension } from './dimensions.ts';
import { FLAG_RULES, type Shown, shownOf } from './flags.ts';
import { estimateNoise, groupShiftTest } from './stats.ts';
import type { RoundTally } from './tally.ts';

/** What the numbers say about an action so far, in the words reports use. */
export type Effect = 'likely better' | 'no clear change' | 'likely worse' | 'too early';

/**
 * The thresholds of the effect. The baseline and the noise are the flags' own (FLAG_RULES);
 * test/domain/effect.simulation.test.ts shows what these mean for a team of six to eight.
 */
export const EFFECT_RULES = {
  /** Fewer shown rounds than this since the action started: too early to say. */
  minRoundsSince: 2,
  /** At most this many of the latest shown rounds since the start are compared. */
  maxRoundsSince: 4,
  /** One-sided p-value below this (per direction), and a change of at least `minEffect`. */
  alpha: 0.01,
  minEffect: 0.3,
} as const;

/** An action with what its numbers say so far. */
export type JudgedAction = Action & { effect: Effect };

type Judged = Exclude<Effect, 'too early'>;

function judgeDimension(
  dimension: Dimension,
  before: readonly RoundTally[],
  since: readonly RoundTally[],
  alpha: number,
): Judged {
  const samples = (rounds: readonly RoundTally[]) =>
    rounds.map((r) => shownOf(r, dimension)).filter((s): s is Shown => s !== null);
  const earlier = samples(before);
  const noise = estimateNoise(
    earlier.slice(-FLAG_RULES.noiseRounds).map((s) => s.sample.summary),
    { variance: FLAG_RULES.noisePriorVariance, weight: FLAG_RULES.noisePriorWeight },
  );
  const test = groupShiftTest(
    samples(since).map((s) => s.sample),
    earlier.slice(-FLAG_RULES.baselineRounds).map((s) => s.sample),
    noise,
  );
  if (test === null || Math.abs(test.estimate) < EFFECT_RULES.minEffect) return 'no clear change';
  const pRise = 1 - test.pFall;
  if (test.estimate > 0 && pRise < alpha) return 'likely better';
  if (test.estimate < 0 && test.pFall < alpha) return 'likely worse';
  return 'no clear change';
}

/**
 * How the action's dimension moved: the shown rounds since it started (up to the latest four) against
 * the shown rounds before it (up to four), judged against the team's noise like the `drop` flag.
 * `history` is the team's closed rounds, oldest first; hidden rounds never count. An action about
 * the whole team reads each dimension at a quarter of the threshold (four tests, one verdict): worse
 * if any is likely worse, better if any is likely better and none worse.
 */
export function judgeEffect(action: Pick<Action, 'focus' | 'round'>, history: readonly RoundTally[]): Effect {
  const shown = history.filter(isShown);
  const before = shown.filter((r) => r.number <= action.round);
  const since = shown.filter((r) => r.number > action.round);
  if (since.length < EFFECT_RULES.minRoundsSince) return 'too early';
  const recent = since.slice(-EFFECT_RULES.maxRoundsSince);
  if (action.focus !== 'team') return judgeDimension(action.focus, before, recent, EFFECT_RULES.alpha);
  const verdicts = DIMENSIONS.map((d) =>
    judgeDimension(d, before, recent, EFFECT_RULES.alpha / DIMENSIONS.length),
  );
  if (verdicts.includes('likely worse')) return 'likely worse';
  if (verdicts.includes('likely better')) return 'likely better';
  return 'no clear change';
}
