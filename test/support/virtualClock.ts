// Time that passes only when a test says so, for code that takes a clock and a Timer: what such a test
// measures is the code's own arithmetic, not how fast (or how loaded) the machine running it is.
import type { Timer } from '../../src/timer.ts';

export interface VirtualClock {
  /** Milliseconds since the epoch, virtual. */
  now(): number;
  date(): Date;
  /** Callbacks run when `advance` reaches their time. */
  timer: Timer;
  /**
   * Callbacks run on the next turn of the event loop, the clock jumping to their time: for a single
   * waiter (a worker's loop) that should see its waits pass as on an infinitely fast machine.
   */
  skippingTimer: Timer;
  /** Moves the clock forward, running every callback that falls due on the way, in time order. */
  advance(ms: number): void;
  /** Callbacks scheduled and not yet run or cancelled. */
  pending(): number;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
}

export function virtualClock(start: number): VirtualClock {
  let t = start;
  let seq = 0;
  const queue: Entry[] = [];

  const cancelOf = (entry: Entry) => () => {
    const i = queue.indexOf(entry);
    if (i >= 0) queue.splice(i, 1);
  };

  const schedule = (fn: () => void, ms: number): Entry => {
    const entry = { at: t + Math.max(0, ms), seq: seq++, fn };
    queue.push(entry);
    return entry;
  };

  const advanceTo = (target: number): void => {
    for (;;) {
      let next: Entry | undefined;
      for (const e of queue) {
        if (e.at <= target && (!next || e.at < next.at || (e.at === next.at && e.seq < next.seq))) next = e;
      }
      if (!next) break;
      queue.splice(queue.indexOf(next), 1);
      t = Math.max(t, next.at);
      next.fn();
    }
    t = Math.max(t, target);
  };

  return {
    now: () => t,
    date: () => new Date(t),
    timer: (fn, ms) => cancelOf(schedule(fn, ms)),
    skippingTimer: (fn, ms) => {
      const entry = schedule(fn, ms);
      const immediate = setImmediate(() => advanceTo(entry.at));
      const cancel = cancelOf(entry);
      return () => {
        clearImmediate(immediate);
        cancel();
      };
    },
    advance: (ms) => advanceTo(t + ms),
    pending: () => queue.length,
  };
}
