import type { Distribution } from './dimensions.ts';

/** Number of answers in a distribution. */
export const total = (d: Distribution): number => d[0] + d[1] + d[2] + d[3] + d[4];

/** Mean score of a distribution, or null when it holds no answers. */
export const mean = (d: Distribution): number | null => {
  const n = total(d);
  if (n === 0) return null;
  return (d[0] * 1 + d[1] * 2 + d[2] * 3 + d[3] * 4 + d[4] * 5) / n;
};

/** One decimal with a dot, as every report writes a mean. */
export const formatMean = (m: number): string => (Math.round(m * 10) / 10).toFixed(1);

// ---------------------------------------------------------------------------------------------
// Summaries of the answers behind a distribution
// ---------------------------------------------------------------------------------------------

/** What the statistics need from a set of answers: how many, their mean and their spread. */
export interface Summary {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  ss: number;
}

/** Count, mean and sum of squares of the answers a distribution stands for; null when empty. */
export const summarize = (d: Distribution): Summary | null => {
  const m = mean(d);
  if (m === null) return null;
  let ss = 0;
  for (let k = 0; k < 5; k++) {
    const dev = k + 1 - m;
    ss += (d[k] ?? 0) * dev * dev;
  }
  return { n: total(d), mean: m, ss };
};

/** Sample variance (n − 1) of the answers of a distribution; null with fewer than two answers. */
export const variance = (d: Distribution): number | null => {
  const s = summarize(d);
  if (s === null || s.n < 2) return null;
  return s.ss / (s.n - 1);
};

/** Answer counts of several distributions added up (the answers pooled into one set). */
export const sumDistributions = (ds: readonly Distribution[]): Distribution => {
  const out: Distribution = [0, 0, 0, 0, 0];
  for (const d of ds) {
    for (let k = 0; k < 5; k++) out[k as 0] += d[k] ?? 0;
  }
  return out;
};

/** Share of answers at or below `score` (e.g. 2 for "answers 1–2"); null when empty. */
export const shareAtMost = (d: Distribution, score: number): number | null => {
  const n = total(d);
  if (n === 0) return null;
  let low = 0;
  for (let k = 0; k < Math.min(5, score); k++) low += d[k] ?? 0;
  return low / n;
};

// ---------------------------------------------------------------------------------------------
// Student's t distribution
// ---------------------------------------------------------------------------------------------

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Natural logarithm of the gamma function (Lanczos approximation, x > 0). */
export const lnGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
};

/** Continued fraction for the incomplete beta function (modified Lentz). */
const betaContinuedFraction = (x: number, a: number, b: number): number => {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
};

/** Regularized incomplete beta function I_x(a, b), for 0 <= x <= 1. */
export const regularizedBeta = (x: number, a: number, b: number): number => {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
};

/** P(T <= t) for Student's t with `df` degrees of freedom (df > 0, need not be whole). */
export const studentTCdf = (t: number, df: number): number => {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
};

/** The t with P(T <= t) = p for Student's t with `df` degrees of freedom (0 < p < 1). */
export const studentTQuantile = (p: number, df: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie strictly between 0 and 1, got ${p}`);
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
};

// ---------------------------------------------------------------------------------------------
// How much a team's round mean moves when nothing changed, and tests against that
// ---------------------------------------------------------------------------------------------

/**
 * What we assume about one person's answer before a team has any history: it moves from week to
 * week with variance `variance` (rounding included), and this counts as much as `weight` rounds of
 * the team's own evidence.
 */
export interface NoisePrior {
  variance: number;
  weight: number;
}

/**
 * A team's noise: `weekly` is the week-to-week variance of one person's answer, `person` the variance
 * of people's own levels around the team mean, `df` the degrees of freedom behind `weekly`.
 */
export interface Noise {
  weekly: number;
  person: number;
  df: number;
}

/** One round's answers on one dimension and how many people were invited to give them. */
export interface RoundSample {
  summary: Summary;
  invited: number;
}

/**
 * Estimates a team's noise from earlier rounds (answers on one dimension).
 *
 * `weekly`: how much the round means scatter around their average (a round of n answers varies with
 * variance σ²/n), combined with the prior by a conjugate scaled-inverse-χ² update (the prior counts
 * as `weight` degrees of freedom). With `fitted`, the scatter is taken around those fitted values
 * (one per round) instead of the average, losing `params` degrees of freedom. `person`: the spread of
 * answers inside rounds that the weekly wobble does not explain, i.e. how much people differ from one
 * another (never below zero).
 */
export const estimateNoise = (
  rounds: readonly Summary[],
  prior: NoisePrior,
  fitted?: { values: readonly number[]; params: number },
): Noise => {
  let n = 0;
  let sum = 0;
  let within = 0;
  let withinDf = 0;
  for (const r of rounds) {
    n += r.n;
    sum += r.n * r.mean;
    within += r.ss;
    withinDf += Math.max(r.n - 1, 0);
  }
  let between = 0;
  if (n > 0) {
    const grand = sum / n;
    rounds.forEach((r, i) => {
      between += r.n * (r.mean - (fitted?.values[i] ?? grand)) ** 2;
    });
  }
  const df = prior.weight + Math.max(rounds.length - (fitted?.params ?? 1), 0);
  if (df <= 0) return { weekly: prior.variance, person: 0, df: 1 };
  const weekly = (prior.weight * prior.variance + between) / df;
  const person = withinDf > 0 ? Math.max(within / withinDf - weekly, 0) : 0;
  return { weekly, person, df };
};

/**
 * Variance of a round's mean when nothing changed: each answer's weekly wobble, plus the fact that
 * when only some of the invited answer, the mean also moves with who they happen to be (people
 * differ; drawing n of N people without replacement).
 */
export const roundMeanVariance = (n: number, invited: number, noise: Noise): number => {
  if (n <= 0) return Number.POSITIVE_INFINITY;
  const team = Math.max(invited, n);
  const who = team > 1 ? ((1 / n - 1 / team) * team) / (team - 1) : 0;
  return noise.weekly / n + noise.person * who;
};

export interface TestResult {
  /** The estimated effect: a difference of means, or a slope per round. */
  estimate: number;
  /** Its standard error. */
  se: number;
  df: number;
  t: number;
  /** One-sided p-value for a fall: the chance of an estimate this low or lower if nothing changed. */
  pFall: number;
}

/**
 * The mean of rounds taken together (all their answers pooled) and its variance when nothing changed:
 * each round's mean variance, weighted by its share of the answers. Null without answers.
 */
const pooledMean = (
  rounds: readonly RoundSample[],
  noise: Noise,
): { mean: number; variance: number } | null => {
  const answered = rounds.filter((r) => r.summary.n > 0);
  const n = answered.reduce((s, r) => s + r.summary.n, 0);
  if (n === 0) return null;
  let sum = 0;
  let variance = 0;
  for (const r of answered) {
    sum += r.summary.n * r.summary.mean;
    variance += (r.summary.n / n) ** 2 * roundMeanVariance(r.summary.n, r.invited, noise);
  }
  return { mean: sum / n, variance };
};

/**
 * Compares the pooled mean of the `current` rounds with the pooled mean of the `baseline` rounds,
 * against the noise of round means. Student's t on the noise's degrees of freedom.
 */
export const groupShiftTest = (
  current: readonly RoundSample[],
  baseline: readonly RoundSample[],
  noise: Noise,
): TestResult | null => {
  const now = pooledMean(current, noise);
  const base = pooledMean(baseline, noise);
  if (now === null || base === null) return null;
  const estimate = now.mean - base.mean;
  const se = Math.sqrt(now.variance + base.variance);
  const t = estimate / se;
  return { estimate, se, df: noise.df, t, pFall: studentTCdf(t, noise.df) };
};

/** Compares one round's mean with the pooled mean of the `baseline` rounds (see groupShiftTest). */
export const shiftTest = (
  current: RoundSample,
  baseline: readonly RoundSample[],
  noise: Noise,
): TestResult | null => groupShiftTest([current], baseline, noise);

/**
 * Least-squares line through round means against a position `x`, each round weighted by its number
 * of answers. Null with fewer than two distinct positions.
 */
export const fitLine = (
  rounds: ReadonlyArray<{ x: number; summary: Summary }>,
): { intercept: number; slope: number } | null => {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (const r of rounds) {
    n += r.summary.n;
    sx += r.summary.n * r.x;
    sy += r.summary.n * r.summary.mean;
  }
  if (n === 0) return null;
  let sxx = 0;
  let sxy = 0;
  for (const r of rounds) {
    sxx += r.summary.n * (r.x - sx / n) ** 2;
    sxy += r.summary.n * (r.x - sx / n) * (r.summary.mean - sy / n);
  }
  if (sxx <= 1e-12) return null;
  const slope = sxy / sxx;
  return { intercept: sy / n - (slope * sx) / n, slope };
};

/**
 * Weighted least-squares slope of round means against a position `x` (each round weighted by the
 * inverse of its mean's variance), tested with Student's t on the noise's degrees of freedom.
 * Null with fewer than two distinct positions.
 */
export const slopeTest = (
  rounds: ReadonlyArray<RoundSample & { x: number }>,
  noise: Noise,
): TestResult | null => {
  let w = 0;
  let sx = 0;
  let sy = 0;
  const weights = rounds.map((r) => {
    const v = roundMeanVariance(r.summary.n, r.invited, noise);
    return Number.isFinite(v) && v > 0 ? 1 / v : 0;
  });
  rounds.forEach((r, i) => {
    const wi = weights[i] ?? 0;
    w += wi;
    sx += wi * r.x;
    sy += wi * r.summary.mean;
  });
  if (w === 0) return null;
  const xBar = sx / w;
  const yBar = sy / w;
  let sxx = 0;
  let sxy = 0;
  rounds.forEach((r, i) => {
    const wi = weights[i] ?? 0;
    sxx += wi * (r.x - xBar) ** 2;
    sxy += wi * (r.x - xBar) * (r.summary.mean - yBar);
  });
  if (sxx <= 1e-12) return null;
  const estimate = sxy / sxx;
  const se = Math.sqrt(1 / sxx);
  const t = estimate / se;
  return { estimate, se, df: noise.df, t, pFall: studentTCdf(t, noise.df) };
};
