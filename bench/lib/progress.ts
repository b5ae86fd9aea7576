/** One progress line, rewritten in place on a terminal; on a pipe, one line per step. */
export interface Progress {
  step(text: string): void;
  /** Updates the current step's detail (only shown on a terminal, at most every 100 ms). */
  detail(text: string): void;
  done(): void;
}

export function progress(totalSteps: number): Progress {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let n = 0;
  let current = '';
  let last = 0;
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  const write = (line: string) => {
    if (tty) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    else process.stderr.write(`${line}\n`);
  };
  return {
    step(text) {
      n++;
      current = `[${n}/${totalSteps}] ${text}`;
      write(`${current} (${elapsed()})`);
    },
    detail(text) {
      if (!tty || Date.now() - last < 100) return;
      last = Date.now();
      write(`${current}: ${text} (${elapsed()})`);
    },
    done() {
      if (tty) process.stderr.write(`\r\x1b[K`);
      process.stderr.write(`bench finished in ${elapsed()}\n`);
    },
  };
}
