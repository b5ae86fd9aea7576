// Seeded randomness for tests, the demo and the bench: the same seed gives the same run every time.
// Production code never draws seeded numbers, so this lives here and not under src/.

/** A small, fast, seeded generator of uniform numbers in [0, 1) (mulberry32). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A standard normal draw from a uniform generator (Box–Muller). */
export const normalFrom = (rng: () => number): number => {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};
