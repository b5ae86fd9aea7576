import type { Config } from './config.ts';
import type { Services } from './context.ts';
import { isValidTimezone } from './domain/schedule.ts';
import { withChartUploads } from './jobs/chartUpload.ts';
import { OutboxWorker, type SlackApi } from './jobs/outbox.ts';
import { marksUnreachable } from './jobs/slackErrors.ts';
import { tick, tickInSlices } from './jobs/tick.ts';
import { createLogger, errorMessage, type Logger } from './log.ts';
import { createSlackApp } from './slack/app.ts';
import { httpFetch } from './slack/httpFetch.ts';
import { type StartupOptions, verifySlack } from './slack/startup.ts';
import { actionStore } from './store/actions.ts';
import { openDatabase } from './store/db.ts';
import { leadStore } from './store/leads.ts';
import { noteStore } from './store/notes.ts';
import { outboxStore } from './store/outbox.ts';
import { ReplySecrets } from './store/replySecrets.ts';
import { RoundKeys } from './store/roundKeys.ts';
import { roundStore } from './store/rounds.ts';
import { teamStore } from './store/teams.ts';
import { durability, type WalSync } from './store/walSync.ts';
import { chartFor } from './usecases/charts.ts';
import { prepareDelivery, recordFailed, recordSent } from './usecases/deliveries.ts';
import { type MessageReader, recoverRoundKeys } from './usecases/roundKey.ts';

export interface Runtime {
  services: Services;
  worker: OutboxWorker;
  /** Starts the outbox worker and the Slack receiver; resolves to the HTTP port (null in Socket Mode). */
  start(): Promise<number | null>;
  tick(now: Date): void;
  /**
   * The same tick in slices that leave the event loop free between them (the minute cron); a tick
   * asked for while one still runs is skipped: the next minute does whatever is due then.
   */
  tickInSlices(now: Date): Promise<void>;
  /** Stops receiving, lets the delivery in flight finish, closes the database. */
  stop(): Promise<void>;
}

/** What a test may pin down (clocks, timers, retry schedules) instead of the system's. */
export interface RuntimeOptions {
  /** Milliseconds since the epoch that Slack's request timestamps are checked against (default: Date.now). */
  clock?: () => number;
  /** How start-up retries while Slack is unreachable (about a minute by default). */
  startup?: StartupOptions;
  /** Socket Mode's pong deadline and reconnect delay (Slack's SDK default when unset). */
  socketPingTimeoutMs?: number;
  /** What makes committed answers durable before they are acknowledged (default: a sync of the WAL). */
  walSync?: WalSync;
}

/**
 * The composition root shared by main, the demo and the tests: Slack's check of the tokens → db → Slack
 * app → worker. A token Slack refuses, or Slack unreachable for about a minute, rejects with a
 * StartupError before anything else is opened.
 */
export async function createServices(
  config: Config,
  log: Logger = createLogger(config.logLevel),
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const identity = await verifySlack(config, log, options.startup);
  const db = openDatabase(config.databasePath, { minResponses: config.minResponses });
  // Answers and the outbox's bookkeeping are made durable by one asynchronous sync of the WAL at a time.
  const durable = durability(db, options.walSync);
  let worker: OutboxWorker | undefined;
  const services: Services = {
    config,
    db,
    teams: teamStore(db),
    rounds: roundStore(db),
    leads: leadStore(db),
    actions: actionStore(db),
    keys: new RoundKeys(),
    replySecrets: new ReplySecrets(),
    notes: noteStore(db),
    outbox: outboxStore(db),
    log,
    kick: () => worker?.kick(),
    lookupLeadTimezone: (leadId) => {
      slack.app.client.users
        .info({ user: leadId })
        .then((res) => {
          const tz = res.user?.tz;
          if (tz && isValidTimezone(tz)) services.leads.setTimezone(leadId, tz);
        })
        .catch((err: unknown) => log.warn(`time zone of a lead unknown: ${errorMessage(err)}`));
    },
  };
  const slack = createSlackApp(services, {
    identity,
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.socketPingTimeoutMs !== undefined && { socketPingTimeoutMs: options.socketPingTimeoutMs }),
    durability: durable,
  });
  worker = new OutboxWorker({
    outbox: services.outbox,
    slack: withChartUploads(slack.app.client as unknown as SlackApi, {
      chart: (payload) => chartFor(services, payload),
      timeoutMs: config.slackTimeoutMs,
      fetch: httpFetch,
    }),
    transaction: (fn) => db.transaction(fn)(),
    durability: durable,
    log,
    budgets: config.slackBudgets,
    // Records DM ids on sent invites; marks deactivated people unreachable and takes their invite back.
    hooks: {
      prepare: (row) => {
        const payload = prepareDelivery(services, row);
        if (payload === null) recoverKeys();
        return payload;
      },
      onSent: (row, result) => recordSent(services, row, result),
      onFailed: (row, error) => recordFailed(services, row, error, marksUnreachable(error)),
    },
  });
  const w = worker;
  let ticking = false;
  // Round keys lost with a restart are read back from the round's DMs in Slack, once at a time.
  const reader: MessageReader = {
    blocksOf: async (channel, ts) =>
      (
        await slack.app.client.conversations.history({
          channel,
          latest: ts,
          oldest: ts,
          inclusive: true,
          limit: 1,
        })
      ).messages?.[0]?.blocks,
  };
  let recovering = false;
  const recoverKeys = (): void => {
    if (recovering) return;
    recovering = true;
    void recoverRoundKeys(services, reader).finally(() => {
      recovering = false;
    });
  };
  return {
    services,
    worker: w,
    start: async () => {
      recoverKeys();
      w.start();
      return slack.start();
    },
    tick: (now) => {
      try {
        tick(services, now);
      } catch (err) {
        log.error(`tick failed: ${errorMessage(err)}`);
      }
    },
    tickInSlices: async (now) => {
      if (ticking) return;
      ticking = true;
      try {
        await tickInSlices(services, now);
      } catch (err) {
        log.error(`tick failed: ${errorMessage(err)}`);
      } finally {
        ticking = false;
      }
    },
    stop: async () => {
      await slack.stop().catch(() => {});
      await w.stop();
      db.close();
    },
  };
}
