/**
 * Long synchronous work (a tick over a thousand teams, a lead's digest of a thousand teams) written as a
 * generator that pauses after each small unit, so it can run either all at once or in slices that give
 * the event loop a turn: acknowledgements, modal opens and deliveries then never wait behind it for long.
 */
export type Units<T> = Generator<void, T>;

export interface SliceOptions {
  /** How long the work may hold the event loop before it lets other work run. */
  sliceMs?: number;
  /** Milliseconds, for measuring a slice (injected in tests). */
  clock?: () => number;
}

/** The default slice: well under the 50 ms a stall may last. */
export const SLICE_MS = 20;

/** Runs the work to its end at once: for tests and tools that want it done when this returns. */
export function runAll<T>(work: Units<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs the work in slices of at most `sliceMs`, with a turn of the event loop between them. */
export async function runInSlices<T>(work: Units<T>, o: SliceOptions = {}): Promise<T> {
  const sliceMs = o.sliceMs ?? SLICE_MS;
  const clock = o.clock ?? (() => performance.now());
  let started = clock();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (clock() - started < sliceMs) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    started = clock();
  }
}
