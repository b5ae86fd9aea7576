import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Db } from './store/db.ts';
import type { OutboxStore } from './store/outbox.ts';
import type { RoundStore } from './store/rounds.ts';
import type { TeamStore } from './store/teams.ts';

/** Everything a listener or job needs, built once in main and passed down. */
export interface Services {
  config: Config;
  db: Db;
  teams: TeamStore;
  rounds: RoundStore;
  outbox: OutboxStore;
  log: Logger;
  /** Wakes the outbox worker after something was queued. */
  kick(): void;
}
