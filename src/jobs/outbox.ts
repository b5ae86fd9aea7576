import { describeDelivery } from '../domain/delivery.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { OutboxRow, OutboxStore } from '../store/outbox.ts';
import type { Durability } from '../store/walSync.ts';
import { realTimer, type Timer } from '../timer.ts';
import { isFinalError } from './slackErrors.ts';

/** The one Slack call the worker needs; WebClient satisfies it. */
export interface SlackApi {
  apiCall(method: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export const MAX_ATTEMPTS = 5;

/** How long a delivery that is not ready to go (see OutboxHooks.prepare) waits before the next look. */
export const NOT_READY_WAIT_MS = 5000;

export type Outcome =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'final'; error: string }
  | { kind: 'retry'; error: string };

/** Sorts a failed Slack call into wait (429), give up (final) or try again later. */
export function classify(err: unknown): Outcome {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number };
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { kind: 'rate_limited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
  }
  if (e.code === 'slack_webapi_platform_error') {
    const error = e.data?.error ?? 'unknown_error';
    return isFinalError(error) ? { kind: 'final', error } : { kind: 'retry', error };
  }
  if (e.code === 'slack_webapi_http_error')
    return { kind: 'retry', error: `http_${e.statusCode ?? 'error'}` };
  return { kind: 'retry', error: errorMessage(err) };
}

/** How long `stop()` waits for the delivery in flight before leaving it to the next start. */
export const STOP_GRACE_MS = 7000;

/** Seconds to wait after a failed attempt: 2, 4, 8, 16 … */
export const backoffMs = (attempts: number): number => 1000 * 2 ** Math.min(attempts, 10);

/** Calls a method may make back to back before pacing spaces them out. */
export const PACING_BURST = 3;

/**
 * A method's send budget as a token bucket: `perMinute` calls a minute, spread evenly, with a burst of
 * at most PACING_BURST. Spreading the budget (rather than spending a minute's worth at once) keeps
 * under Slack's limit whatever window Slack counts it over, so a fan-out never runs into 429s.
 */
export class Pacer {
  private tokens: number;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private at: number,
    private readonly burst: number = PACING_BURST,
  ) {
    this.perMs = perMinute / 60_000;
    this.tokens = burst;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.at) * this.perMs);
      this.at = now;
    }
  }

  /** Milliseconds until a call may go (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}

export interface OutboxHooks {
  /**
   * The payload to send, made just before sending (it may add what is never stored, such as a round
   * key); null to leave the row for later without counting an attempt.
   */
  prepare?(row: OutboxRow): Record<string, unknown> | null;
  /** Runs in the same transaction that removes the sent row. */
  onSent(row: OutboxRow, result: Record<string, unknown>): void;
  /** Runs in the same transaction that marks the row failed for good. */
  onFailed(row: OutboxRow, error: string): void;
}

export interface OutboxWorkerOptions {
  outbox: OutboxStore;
  slack: SlackApi;
  hooks: OutboxHooks;
  transaction: <T>(fn: () => T) => T;
  /**
   * How the worker's bookkeeping becomes durable without blocking the event loop: its writes commit
   * relaxed, and it awaits one sync of the write-ahead log after claiming a row, before Slack hears of it
   * (that sync also covers the previous delivery's record). Unset: every write commits with its own fsync.
   */
  durability?: Durability;
  log: Logger;
  clock?: () => Date;
  /** How the worker waits for its next look (budget or idle poll); tests pass the timer of their clock. */
  timer?: Timer;
  /** How often to look for due rows when nobody kicks the worker. */
  idleMs?: number;
  /** Calls per minute per Slack method, sent evenly (see Pacer); a method not listed, or 0, is not paced. */
  budgets?: Readonly<Record<string, number>>;
}

/**
 * Sends the outbox, one delivery in flight at a time, so a crash repeats at most that one.
 * Each method is paced to its budget, so Slack rarely has to say no; a 429 still pauses only the
 * method Slack limited, for as long as Slack asked.
 */
export class OutboxWorker {
  private readonly pausedUntil = new Map<string, number>();
  private readonly pacers = new Map<string, Pacer>();
  /** Set by sendOne: how long until a method it held back for its budget may send (undefined: none). */
  private budgetWaitMs: number | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set when stop() gave up waiting: a late answer must not touch the (closed) database. */
  private abandoned = false;
  private readonly clock: () => Date;
  private readonly timer: Timer;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.timer = o.timer ?? realTimer;
    const now = this.clock().getTime();
    for (const [method, perMinute] of Object.entries(o.budgets ?? {})) {
      if (perMinute > 0) this.pacers.set(method, new Pacer(perMinute, now));
    }
  }

  start(): void {
    if (this.running) return;
    const resumed = this.o.outbox.resetInFlight();
    if (resumed > 0) this.o.log.info(`outbox: resuming ${resumed} delivery in flight at the last stop`);
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued: look now instead of at the next idle poll. */
  kick(): void {
    this.wake?.();
  }

  /**
   * Stops after the delivery in flight, if any, has finished — waiting at most `graceMs`. A delivery
   * still in flight then stays marked in flight and is sent again at the next start (the one repeat
   * the outbox allows). Resolves to false when it had to give up waiting.
   */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<boolean> {
    this.running = false;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.abandoned = true;
      this.o.log.warn(
        'outbox: a delivery was still in flight at stop; it will be sent again at the next start',
      );
    }
    return finished;
  }

  /** Sends one due delivery; false when none is due. */
  async sendOne(): Promise<boolean> {
    const now = this.clock().getTime();
    const paused = [...this.pausedUntil].filter(([, until]) => until > now).map(([m]) => m);
    this.budgetWaitMs = undefined;
    for (const [method, pacer] of this.pacers) {
      const wait = pacer.waitMs(now);
      if (wait === 0) continue;
      paused.push(method);
      this.budgetWaitMs = Math.min(wait, this.budgetWaitMs ?? wait);
    }
    const row = this.write(() => this.o.outbox.claimNext(new Date(now), paused));
    if (!row) return false;
    try {
      // The row is marked in flight on disk (and the previous delivery recorded) before Slack hears of
      // it: after a power cut, at most this one is sent again.
      await this.durable();
    } catch (err) {
      this.write(() => this.o.outbox.retry(row.id, new Date(now + NOT_READY_WAIT_MS), 'sync_failed', false));
      throw err;
    }
    if (this.abandoned) return true;
    const payload = this.o.hooks.prepare ? this.o.hooks.prepare(row) : row.payload;
    if (payload === null) {
      this.write(() => this.o.outbox.retry(row.id, new Date(now + NOT_READY_WAIT_MS), 'not_ready', false));
      return true;
    }
    this.pacers.get(row.method)?.take(now);
    let result: Record<string, unknown>;
    try {
      result = await this.o.slack.apiCall(row.method, payload);
    } catch (err) {
      if (!this.abandoned) this.handleError(row, classify(err));
      return true;
    }
    if (this.abandoned) return true;
    try {
      this.write(() =>
        this.o.transaction(() => {
          this.o.hooks.onSent(row, result);
          this.o.outbox.complete(row.id);
        }),
      );
    } catch (err) {
      // Slack has it: whatever the bookkeeping hook could not record, the delivery must not be sent again.
      this.write(() => this.o.outbox.complete(row.id));
      this.o.log.error(
        `outbox: ${row.method} ${describeDelivery(row.key)} was sent, but recording it failed: ${errorMessage(err)}`,
      );
    }
    return true;
  }

  /** A write of the worker's bookkeeping, made durable by the sync awaited before the next send. */
  private write<T>(fn: () => T): T {
    return this.o.durability ? this.o.durability.relaxed(fn) : fn();
  }

  private durable(): Promise<void> {
    return this.o.durability ? this.o.durability.durable() : Promise.resolve();
  }

  private handleError(row: OutboxRow, outcome: Outcome): void {
    this.write(() => this.recordError(row, outcome));
  }

  private recordError(row: OutboxRow, outcome: Outcome): void {
    const now = this.clock().getTime();
    if (outcome.kind === 'rate_limited') {
      this.pausedUntil.set(row.method, now + outcome.retryAfterMs);
      this.o.outbox.retry(row.id, new Date(now + outcome.retryAfterMs), 'rate_limited', false);
      this.o.log.warn(`outbox: ${row.method} rate limited, waiting ${outcome.retryAfterMs / 1000}s`);
      return;
    }
    if (outcome.kind === 'final' || row.attempts >= MAX_ATTEMPTS) {
      try {
        this.o.transaction(() => {
          this.o.hooks.onFailed(row, outcome.error);
          this.o.outbox.fail(row.id, outcome.error);
        });
      } catch (err) {
        // The row is kept as failed even when the hook could not record its consequences.
        this.o.outbox.fail(row.id, outcome.error);
        this.o.log.error(`outbox: recording a failed delivery: ${errorMessage(err)}`);
      }
      this.o.log.warn(`outbox: ${row.method} ${describeDelivery(row.key)} failed for good: ${outcome.error}`);
      return;
    }
    this.o.outbox.retry(row.id, new Date(now + backoffMs(row.attempts)), outcome.error, true);
    this.o.log.warn(
      `outbox: ${row.method} ${describeDelivery(row.key)} attempt ${row.attempts} failed (${outcome.error}), will retry`,
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = false;
      try {
        sent = await this.sendOne();
      } catch (err) {
        this.o.log.error(`outbox: ${errorMessage(err)}`);
      }
      if (sent || !this.running) continue;
      // A method held back for its budget: look again as soon as the budget allows, not at the idle poll.
      const idleMs = this.o.idleMs ?? 1000;
      const waitMs = this.budgetWaitMs === undefined ? idleMs : Math.min(idleMs, this.budgetWaitMs);
      await new Promise<void>((resolve) => {
        const cancel = this.timer(resolve, waitMs);
        this.wake = () => {
          cancel();
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
