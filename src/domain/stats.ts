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
