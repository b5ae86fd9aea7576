/**
 * Runs `fn` once after `ms` milliseconds and returns a function that cancels it. Code that waits takes
 * one of these rather than calling setTimeout, so tests can run its waits on a virtual clock instead of
 * depending on how fast the machine is.
 */
export type Timer = (fn: () => void, ms: number) => () => void;

/** setTimeout itself. */
export const realTimer: Timer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** setTimeout that does not keep the process alive: for housekeeping that may be skipped at exit. */
export const backgroundTimer: Timer = (fn, ms) => {
  const t = setTimeout(fn, ms).unref();
  return () => clearTimeout(t);
};
