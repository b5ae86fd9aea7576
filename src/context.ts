import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { ActionStore } from './store/actions.ts';
import type { Db } from './store/db.ts';
import type { LeadStore } from './store/leads.ts';
import type { NoteStore } from './store/notes.ts';
import type { OutboxStore } from './store/outbox.ts';
import type { ReplySecrets } from './store/replySecrets.ts';
import type { RoundKeys } from './store/roundKeys.ts';
import type { RoundStore } from './store/rounds.ts';
import type { TeamStore } from './store/teams.ts';

/** Everything a listener or job needs, built once in main and passed down. */
export interface Services {
  config: Config;
  db: Db;
  teams: TeamStore;
  rounds: RoundStore;
  outbox: OutboxStore;
  leads: LeadStore;
  actions: ActionStore;
  /** Keys of open rounds, in memory only. */
  keys: RoundKeys;
  notes: NoteStore;
  /** Reply secrets of notes whose author's DM has not carried them yet, in memory only. */
  replySecrets: ReplySecrets;
  log: Logger;
  /** Wakes the outbox worker after something was queued. */
  kick(): void;
  /** Asks Slack for a new lead's time zone and stores it for their digest schedule (best effort). */
  lookupLeadTimezone?(leadId: string): void;
}
