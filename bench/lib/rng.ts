import { mulberry32 } from '../../tools/rng.ts';

/** The shared seeded generator with the draws the bench needs: it builds the same data on every run. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Bell-shaped, mean 0, sd about 0.71 (six uniforms minus 3): the bench's data was tuned to it. */
  normal(): number;
  bytes(n: number): Buffer;
}

export function seeded(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    normal: () => next() + next() + next() + next() + next() + next() - 3,
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) b.writeUInt32LE((next() * 4294967296) >>> 0, Math.min(i, n - 4));
      return b;
    },
  };
  return rng;
}
