import type { Action } from './actions.ts';
import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension } from './dimensions.ts';
import { computeFlags, FLAG_RULES, type Shown, shownOf } from './flags.ts';
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

/** What a lead's digest says about a team's actions. */
export interface DigestActions {
  actions: JudgedAction[];
  /** A critical flag for `UNATTENDED_ROUNDS` shown rounds running and nothing tried. */
  unattended: boolean;
}

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

/** A team with a critical flag in this many shown rounds running, and no action, is marked for its lead. */
export const UNATTENDED_ROUNDS = 2;

/**
 * Whether the team's last `UNATTENDED_ROUNDS` shown rounds each raised a critical flag (judged on the
 * rounds up to it, as at its close) while nothing was tried: no open action and none started since
 * the first of them. `history` is the team's closed rounds, oldest first.
 */
export function criticalWithoutAction(history: readonly RoundTally[], actions: readonly Action[]): boolean {
  const shownAt = history.flatMap((r, i) => (isShown(r) ? [i] : [])).slice(-UNATTENDED_ROUNDS);
  if (shownAt.length < UNATTENDED_ROUNDS) return false;
  const critical = shownAt.every((i) =>
    computeFlags(history.slice(0, i + 1)).some((f) => f.severity === 'critical'),
  );
  if (!critical) return false;
  const first = history[shownAt[0] ?? 0]?.number ?? 0;
  return !actions.some((a) => a.status === 'open' || a.round >= first);
}
