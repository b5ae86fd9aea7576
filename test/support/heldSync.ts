import type { WalSync } from '../../src/store/walSync.ts';

export interface HeldSync {
  /** The sync to inject: each call waits until the test releases or fails it (unless passing). */
  sync: WalSync;
  /** The calls not passed through, in order. */
  calls: Array<{ release: () => void; fail: (error: Error) => void }>;
  /** Resolves once the sync has been held `n` times. */
  called(n: number): Promise<void>;
  /** Releases every held call; `passing` (default true): later calls finish at once. */
  releaseAll(passing?: boolean): void;
}

/** A sync of the write-ahead log that the test holds, releases or fails, so no test waits on the disk. */
export function heldSync(): HeldSync {
  const calls: HeldSync['calls'] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let passing = false;
  return {
    calls,
    sync: () =>
      new Promise<void>((release, fail) => {
        if (passing) return release();
        calls.push({ release, fail });
        for (const w of waiters.filter((w) => calls.length >= w.n)) w.resolve();
      }),
    called: (n) =>
      calls.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    releaseAll: (pass = true) => {
      passing = pass;
      for (const c of calls) c.release();
    },
  };
}
