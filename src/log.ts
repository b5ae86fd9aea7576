import type { LogLevel } from './config.ts';

/** Operational log lines only: never answers, notes or who answered what. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const at = (l: LogLevel) => (msg: string) => {
    if (ORDER[l] >= ORDER[level]) write(`${new Date().toISOString()} ${l.toUpperCase()} ${msg}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The words of a thrown value, for a log line or a reply. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
