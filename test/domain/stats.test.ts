import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/domain/dimensions.ts';
import {
  estimateNoise,
  fitLine,
  formatMean,
  lnGamma,
  mean,
  roundMeanVariance,
  type Summary,
  shareAtMost,
  shiftTest,
  slopeTest,
  studentTCdf,
  studentTQuantile,
  sumDistributions,
  summarize,
  total,
  variance,
} from '../../src/domain/stats.ts';

const dist = (answers: readonly number[]): Distribution => {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const a of answers) d[(a - 1) as 0 | 1 | 2 | 3 | 4] += 1;
  return d;
};
const summary = (answers: readonly number[]): Summary => summarize(dist(answers)) as Summary;
const PRIOR = { variance: 0.36, weight: 20 };

describe('totals and means (unchanged)', () => {
  it('counts, averages and writes means with one decimal', () => {
    expect(total([1, 0, 2, 0, 3])).toBe(6);
    expect(mean([1, 0, 2, 0, 3])).toBeCloseTo((1 + 6 + 15) / 6);
    expect(mean([0, 0, 0, 0, 0])).toBeNull();
    expect(formatMean(2.25)).toBe('2.3');
    expect(formatMean(4)).toBe('4.0');
  });
});

describe('summaries of the answers behind a distribution', () => {
  it('gives the same mean and spread as the answers themselves', () => {
    const answers = [1, 2, 2, 4, 5, 5, 3];
    const m = answers.reduce((a, b) => a + b, 0) / answers.length;
    const ss = answers.reduce((a, b) => a + (b - m) ** 2, 0);
    expect(summary(answers)).toEqual({ n: 7, mean: m, ss: expect.closeTo(ss, 12) });
    expect(variance(dist(answers))).toBeCloseTo(ss / 6, 12);
  });

  it('has no spread for identical answers and no variance below two answers', () => {
    expect(variance(dist([4, 4, 4]))).toBe(0);
    expect(variance(dist([4]))).toBeNull();
    expect(summarize(dist([]))).toBeNull();
  });

  it('pools distributions and counts the share of low answers', () => {
    expect(sumDistributions([dist([1, 2]), dist([2, 5]), [0, 0, 0, 0, 0]])).toEqual([1, 2, 0, 0, 1]);
    expect(shareAtMost(dist([1, 2, 3, 4, 5, 5]), 2)).toBeCloseTo(1 / 3);
    expect(shareAtMost(dist([]), 2)).toBeNull();
  });
});

describe("Student's t distribution", () => {
  it('matches textbook values', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(2.228, 10)).toBeCloseTo(0.975, 4);
    expect(studentTCdf(-2.015, 5)).toBeCloseTo(0.05, 4);
    expect(studentTCdf(1.96, 1e6)).toBeCloseTo(0.975, 4);
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 10); // Cauchy
    expect(studentTCdf(Number.POSITIVE_INFINITY, 3)).toBe(1);
  });

  it('inverts its distribution function', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(studentTQuantile(0.01, 27)).toBeCloseTo(-2.473, 3);
    for (const p of [0.001, 0.2, 0.5, 0.9])
      expect(studentTCdf(studentTQuantile(p, 4.5), 4.5)).toBeCloseTo(p, 9);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });
});

describe('the noise of a round mean', () => {
  it('falls back on the prior when rounds agree exactly, and never divides by zero', () => {
    const same = [summary([4, 4, 4, 4]), summary([4, 4, 4, 4]), summary([4, 4, 4, 4])];
    const noise = estimateNoise(same, PRIOR);
    expect(noise.weekly).toBeCloseTo((20 * 0.36) / 22);
    expect(noise.person).toBe(0);
    expect(noise.df).toBe(22);
    const test = shiftTest(
      { summary: summary([4, 4, 4, 4]), invited: 4 },
      same.map((s) => ({ summary: s, invited: 4 })),
      noise,
    );
    expect(test?.t).toBe(0);
    expect(test?.pFall).toBeCloseTo(0.5);
  });

  it('learns a larger weekly noise from round means that scatter', () => {
    const calm = estimateNoise([summary([4, 4, 4, 4]), summary([4, 4, 4, 4])], PRIOR);
    const jumpy = estimateNoise([summary([2, 2, 2, 2]), summary([5, 5, 5, 5])], PRIOR);
    expect(jumpy.weekly).toBeGreaterThan(calm.weekly);
  });

  it('attributes the spread inside rounds that weekly noise does not explain to people differing', () => {
    const noise = estimateNoise([summary([2, 3, 4, 5]), summary([2, 3, 4, 5])], PRIOR);
    expect(noise.person).toBeCloseTo(5 / 3 - noise.weekly);
  });

  it('adds the uncertainty of who answered only when not everyone did', () => {
    const noise = { weekly: 0.3, person: 0.4, df: 20 };
    expect(roundMeanVariance(6, 6, noise)).toBeCloseTo(0.05);
    expect(roundMeanVariance(5, 8, noise)).toBeGreaterThan(0.3 / 5);
    expect(roundMeanVariance(0, 6, noise)).toBe(Number.POSITIVE_INFINITY);
  });

  it('fits and tests a slope', () => {
    const rounds = [4, 3.5, 3, 2.5].map((m, x) => ({
      x,
      summary: { n: 6, mean: m, ss: 2 },
      invited: 6,
    }));
    expect(fitLine(rounds)).toEqual({ intercept: expect.closeTo(4, 12), slope: expect.closeTo(-0.5, 12) });
    const test = slopeTest(rounds, { weekly: 0.3, person: 0, df: 20 });
    expect(test?.estimate).toBeCloseTo(-0.5);
    expect(test?.pFall).toBeLessThan(0.001);
    expect(fitLine(rounds.map((r) => ({ ...r, x: 1 })))).toBeNull();
  });
});
