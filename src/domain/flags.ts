import { isShown } from './anonymity.ts';
import { DIMENSIONS, type Dimension, type Distribution, QUESTIONS } from './dimensions.ts';
import {
  estimateNoise,
  fitLine,
  formatMean,
  type RoundSample,
  shareAtMost,
  shiftTest,
  slopeTest,
  sumDistributions,
  summarize,
} from './stats.ts';
import type { RoundTally } from './tally.ts';

/** Every kind of flag, in the order reports list them. */
export const FLAG_KINDS = ['low', 'drop', 'slide', 'low_share', 'participation'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export type Severity = 'warning' | 'critical';

export interface Flag {
  kind: FlagKind;
  /** The dimension the flag is about; null only for participation. */
  dimension: Dimension | null;
  severity: Severity;
  /**
   * What the flag rests on. `n` is the number of answers in the round (for participation: how many
   * answered). `value` and `baseline` are:
   * - low, drop, slide: the round's mean and the baseline mean (null when there is no baseline);
   * - low_share: the share (0..1) of answers at 1–2 in the round and in the baseline;
   * - participation: the response rate (0..1) of the round and of the previous rounds.
   */
  evidence: { n: number; value: number; baseline: number | null };
  /** One line in plain words, e.g. "Energy averaged 2.3 from 6 answers (baseline 3.8)". */
  explanation: string;
}

/**
 * Every threshold the flags use, in one place. docs/flags.md explains each and
 * test/domain/flags.simulation.test.ts shows what they mean for a team of six to eight.
 */
export const FLAG_RULES = {
  /** How many earlier rounds form the baseline (shown ones for answers, any for participation). */
  baselineRounds: 4,
  /** low: a mean at or below this is low; at or below `lowCritical` critical. */
  lowMean: 2.5,
  lowCritical: 2.0,
  /** Prior for the week-to-week variance of one answer (SD 0.6), worth this many rounds of evidence. */
  noisePriorVariance: 0.36,
  noisePriorWeight: 20,
  /** How many earlier shown rounds tell how much the team's means wobble. */
  noiseRounds: 8,
  /** drop: one-sided p-value below this, and a fall of at least `dropMinEffect`. */
  dropAlpha: 0.01,
  dropMinEffect: 0.5,
  /** drop: critical from a fall of this much. */
  dropCritical: 1.0,
  /** slide: the decline runs over this many steps (the current round and the shown ones before it) ... */
  slideSteps: 3,
  /** ... after a level judged from up to this many shown rounds before it. */
  slideLevelRounds: 5,
  /** slide: one-sided p-value of the slope below this, and a fitted fall over the window of at least. */
  slideAlpha: 0.004,
  slideMinEffect: 0.5,
  slideCritical: 1.0,
  /** low_share: at least this share of answers at 1–2 ... */
  lowShare: 1 / 3,
  /** ... that sit at least this far below the mean of the other answers (two groups, not one spread). */
  lowShareGap: 3,
  /** ... and never on one person's answer alone. */
  lowShareMinCount: 2,
  lowShareCritical: 0.5,
  /** participation: a rate below this, or this many points below the previous rounds' rate. */
  participationRate: 0.5,
  participationFall: 0.25,
  participationCriticalRate: 0.3,
  participationCriticalFall: 0.4,
} as const;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1 };
const KIND_RANK = Object.fromEntries(FLAG_KINDS.map((k, i) => [k, i])) as Record<FlagKind, number>;
const DIMENSION_RANK = Object.fromEntries(DIMENSIONS.map((d, i) => [d, i])) as Record<Dimension, number>;

/** Orders flags most severe first, then by kind and dimension, so every report lists them alike. */
export const compareFlags = (a: Flag, b: Flag): number =>
  SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
  KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
  (a.dimension === null ? 4 : DIMENSION_RANK[a.dimension]) -
    (b.dimension === null ? 4 : DIMENSION_RANK[b.dimension]);

const percent = (rate: number): string => `${Math.round(rate * 100)}%`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The warning flags for the last round of `history` (a team's closed rounds, oldest first).
 * Answer-based flags only when that round and the rounds it is compared with are shown;
 * the participation flag always (response counts are never secret).
 */
export function computeFlags(history: readonly RoundTally[]): Flag[] {
  const current = history.at(-1);
  if (current === undefined) return [];
  const earlier = history.slice(0, -1);
  const flags: Flag[] = [];

  const participation = participationFlag(current, earlier.slice(-FLAG_RULES.baselineRounds));
  if (participation) flags.push(participation);

  if (isShown(current)) {
    const shownEarlier = earlier.filter(isShown).slice(-FLAG_RULES.noiseRounds);
    for (const dimension of DIMENSIONS) {
      flags.push(...answerFlags(dimension, current, shownEarlier));
    }
  }
  return flags.sort(compareFlags);
}

function participationFlag(current: RoundTally, previous: readonly RoundTally[]): Flag | null {
  if (current.invited <= 0) return null;
  const rate = current.responded / current.invited;
  const invitedBefore = previous.reduce((s, r) => s + Math.max(r.invited, 0), 0);
  const baseline =
    invitedBefore > 0
      ? previous.reduce((s, r) => s + (r.invited > 0 ? r.responded : 0), 0) / invitedBefore
      : null;
  const fall = baseline === null ? 0 : baseline - rate;
  const lowRate = rate < FLAG_RULES.participationRate;
  // A small tolerance so that 25 points written as 0.85 − 0.6 counts as 25 points.
  const fell = fall >= FLAG_RULES.participationFall - 1e-9;
  if (!lowRate && !fell) return null;
  const critical =
    rate < FLAG_RULES.participationCriticalRate || fall >= FLAG_RULES.participationCriticalFall - 1e-9;
  const answered = `${current.responded} of ${current.invited} answered (${percent(rate)})`;
  return {
    kind: 'participation',
    dimension: null,
    severity: critical ? 'critical' : 'warning',
    evidence: { n: current.responded, value: rate, baseline },
    explanation:
      baseline === null
        ? `Only ${answered}`
        : `${fell ? 'Participation fell: ' : 'Only '}${answered}, against ${percent(baseline)} in the previous ${plural(previous.length, 'round')}`,
  };
}

/** One shown round's answers on one dimension, with what the tests need from it. */
export interface Shown {
  distribution: Distribution;
  sample: RoundSample;
}

export const shownOf = (round: RoundTally, dimension: Dimension): Shown | null => {
  const distribution = round.distributions[dimension];
  const summary = summarize(distribution);
  return summary === null ? null : { distribution, sample: { summary, invited: round.invited } };
};

/**
 * Answer-based flags for one dimension of `currentRound`. `earlier` holds the team's earlier shown
 * rounds, oldest first (hidden rounds are already left out, never counted as zeros).
 */
function answerFlags(dimension: Dimension, currentRound: RoundTally, earlier: readonly RoundTally[]): Flag[] {
  const current = shownOf(currentRound, dimension);
  if (current === null) return [];
  const now = current.sample.summary;
  const label = QUESTIONS[dimension].label;
  const before = earlier.map((r) => shownOf(r, dimension)).filter((s): s is Shown => s !== null);
  const baselineRounds = before.slice(-FLAG_RULES.baselineRounds);
  const baselineAnswers = sumDistributions(baselineRounds.map((r) => r.distribution));
  const base = summarize(baselineAnswers);
  const baselineText = base ? `baseline ${formatMean(base.mean)}` : 'no earlier rounds to compare';
  const flags: Flag[] = [];

  // low: the level itself.
  if (now.mean <= FLAG_RULES.lowMean) {
    flags.push({
      kind: 'low',
      dimension,
      severity: now.mean <= FLAG_RULES.lowCritical ? 'critical' : 'warning',
      evidence: { n: now.n, value: now.mean, baseline: base?.mean ?? null },
      explanation: `${label} averaged ${formatMean(now.mean)} from ${plural(now.n, 'answer')} (${baselineText})`,
    });
  }

  // drop: the round against the baseline, beyond what a small team's noise explains.
  const noise = estimateNoise(
    before.map((r) => r.sample.summary),
    { variance: FLAG_RULES.noisePriorVariance, weight: FLAG_RULES.noisePriorWeight },
  );
  const shift = shiftTest(
    current.sample,
    baselineRounds.map((r) => r.sample),
    noise,
  );
  if (base && shift) {
    const fall = -shift.estimate;
    if (fall >= FLAG_RULES.dropMinEffect && shift.pFall < FLAG_RULES.dropAlpha) {
      flags.push({
        kind: 'drop',
        dimension,
        severity: fall >= FLAG_RULES.dropCritical ? 'critical' : 'warning',
        evidence: { n: now.n, value: now.mean, baseline: base.mean },
        explanation: `${label} fell to ${formatMean(now.mean)} from a baseline of ${formatMean(base.mean)} (${plural(now.n, 'answer')}; ${plural(baselineRounds.length, 'earlier round')})`,
      });
    }
  }

  // slide: a sustained fall over the last rounds, judged by the slope and its standard error.
  const slide = slideOf(
    current.sample,
    before.map((r) => r.sample),
  );
  if (slide) {
    flags.push({
      kind: 'slide',
      dimension,
      severity: slide.fall >= FLAG_RULES.slideCritical ? 'critical' : 'warning',
      evidence: { n: now.n, value: now.mean, baseline: base?.mean ?? null },
      explanation: slideSentence(label, slide, now.n),
    });
  }

  // low_share: part of the team low while the mean looks fine.
  const d = current.distribution;
  const share = shareAtMost(d, 2) ?? 0;
  const lowCount = d[0] + d[1];
  const restCount = now.n - lowCount;
  // How far the low answers sit below the others: a team spread around 3 has its low answers one or
  // two points below the rest; a split team has them three or more below.
  const gap =
    lowCount > 0 && restCount > 0
      ? (d[2] * 3 + d[3] * 4 + d[4] * 5) / restCount - (d[0] + d[1] * 2) / lowCount
      : 0;
  if (
    now.mean > FLAG_RULES.lowMean &&
    lowCount >= FLAG_RULES.lowShareMinCount &&
    share >= FLAG_RULES.lowShare - 1e-9 &&
    gap >= FLAG_RULES.lowShareGap - 1e-9
  ) {
    const baseShare = shareAtMost(baselineAnswers, 2);
    flags.push({
      kind: 'low_share',
      dimension,
      severity: share >= FLAG_RULES.lowShareCritical - 1e-9 ? 'critical' : 'warning',
      evidence: { n: now.n, value: share, baseline: baseShare },
      explanation: `${lowCount} of ${now.n} answers on ${label} were 1–2 although the average is ${formatMean(now.mean)}: part of the team may be struggling${baseShare === null ? '' : ` (${percent(baseShare)} before)`}`,
    });
  }
  return flags;
}

interface Slide {
  /** The fitted fall over the slide (the slope's estimate times the steps). */
  fall: number;
  /** The round means of the slide, oldest first: the rounds before the current one, then it. */
  means: number[];
  /** Where the fitted line stands at the start and at the end of the slide. */
  from: number;
  to: number;
}

/**
 * A slide in words that agree with the figures they quote: "slid N rounds running" only when every
 * step, as printed, fell; otherwise what the fitted trend did, with the round means beside it.
 */
function slideSentence(label: string, slide: Slide, answers: number): string {
  const shown = slide.means.map(formatMean);
  const steps = plural(shown.length - 1, 'round');
  const eachFell = shown.every((m, i) => i === 0 || Number(m) < Number(shown[i - 1]));
  return eachFell
    ? `${label} has slid ${steps} running: ${shown.join(' → ')} (${plural(answers, 'answer')})`
    : `${label}’s trend fell from ${formatMean(slide.from)} to ${formatMean(slide.to)} over ${steps} (round means ${shown.join(', ')}; ${plural(answers, 'answer')})`;
}

function slideOf(now: RoundSample, before: readonly RoundSample[]): Slide | null {
  const steps = FLAG_RULES.slideSteps;
  if (before.length < steps) return null;
  const slideRounds = [...before.slice(-steps), now];
  const levelRounds = before.slice(0, -steps).slice(-FLAG_RULES.slideLevelRounds);
  // Hinge: a level before the slide (position 0), then a straight line through the last `steps` rounds.
  const points = [
    ...levelRounds.map((r) => ({ summary: r.summary, invited: r.invited, x: 0 })),
    ...slideRounds.map((r, x) => ({ summary: r.summary, invited: r.invited, x })),
  ];
  const line = fitLine(points);
  // Not even the size of a slide: no need to test it.
  if (line === null || -line.slope * steps < FLAG_RULES.slideMinEffect) return null;
  const means = slideRounds.map((r) => r.summary.mean);
  const first = means[0] ?? now.summary.mean;
  const previous = means[means.length - 2] ?? now.summary.mean;
  // Sustained: the fall had begun before this round (otherwise it is a one-off drop).
  if (!(previous < first)) return null;
  // The noise is what the hinge leaves unexplained, so a real slide does not count as noise.
  const noise = estimateNoise(
    points.map((p) => p.summary),
    { variance: FLAG_RULES.noisePriorVariance, weight: FLAG_RULES.noisePriorWeight },
    { values: points.map((p) => line.intercept + line.slope * p.x), params: 2 },
  );
  const test = slopeTest(points, noise);
  if (test === null) return null;
  const fall = -test.estimate * steps;
  if (fall < FLAG_RULES.slideMinEffect || test.pFall >= FLAG_RULES.slideAlpha) return null;
  // What the words quote: the line through the slide's own rounds, which stays close to the means
  // printed beside it; the hinge (which also leans on the level before) only where that line is flat.
  const own = fitLine(slideRounds.map((r, x) => ({ summary: r.summary, x })));
  const quoted =
    own && Math.round(own.intercept * 10) > Math.round((own.intercept + own.slope * steps) * 10) ? own : line;
  return { fall, means, from: quoted.intercept, to: quoted.intercept + quoted.slope * steps };
}
