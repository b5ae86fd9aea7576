import { randomBytes } from 'node:crypto';
import { deliveryKey, digestSlotOf, isPersonal, parseDeliveryKey, roundOf } from '../domain/delivery.ts';
import type { Db } from './db.ts';

/** What to record in the database once Slack has accepted a delivery. */
export type Effect =
  | { kind: 'invite'; roundId: number; userId: string }
  | { kind: 'reminder'; roundId: number; userId: string };

export interface OutboxRow {
  id: number;
  key: string;
  method: string;
  payload: Record<string, unknown>;
  effect: Effect | null;
  attempts: number;
}

interface Row {
  id: number;
  key: string;
  method: string;
  payload: string;
  effect: string | null;
  attempts: number;
}

export interface OutboxCounts {
  pending: number;
  sending: number;
  failed: number;
}

export interface FailedDelivery {
  key: string;
  method: string;
  attempts: number;
  error: string;
}

export type OutboxStore = ReturnType<typeof outboxStore>;

export function outboxStore(db: Db) {
  const insert = db.prepare<[string, string, string, string | null, number]>(
    'INSERT OR IGNORE INTO outbox (key, method, payload, effect, not_before) VALUES (?, ?, ?, ?, ?)',
  );
  const next = db.prepare<[number, string], Row>(
    `SELECT id, key, method, payload, effect, attempts FROM outbox
     WHERE status = 'pending' AND not_before <= ? AND method NOT IN (SELECT value FROM json_each(?))
     ORDER BY not_before, id LIMIT 1`,
  );
  const markSending = db.prepare<[number]>(
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
  );
  const remove = db.prepare<[number]>('DELETE FROM outbox WHERE id = ?');
  const retry = db.prepare<[number, string, number, number]>(
    "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ?, attempts = attempts - ? WHERE id = ?",
  );
  const fail = db.prepare<[string, string, string, number]>(
    "UPDATE outbox SET status = 'failed', not_before = 0, key = ?, payload = ?, effect = NULL, last_error = ? WHERE id = ?",
  );
  const keyOf = db.prepare<[number], { key: string; payload: string }>(
    'SELECT key, payload FROM outbox WHERE id = ?',
  );
  const resetInFlight = db.prepare("UPDATE outbox SET status = 'pending' WHERE status = 'sending'");
  const counts = db.prepare<[], { status: string; n: number }>(
    'SELECT status, count(*) AS n FROM outbox GROUP BY status',
  );
  const failed = db.prepare<[number], { key: string; method: string; attempts: number; last_error: string }>(
    "SELECT key, method, attempts, last_error FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT ?",
  );
  const dropPending = db.prepare<[string]>("DELETE FROM outbox WHERE key = ? AND status = 'pending'");
  const drop = db.prepare<[string]>("DELETE FROM outbox WHERE key = ? AND status != 'sending'");
  const failedKeys = db.prepare<[], { id: number; key: string }>(
    "SELECT id, key FROM outbox WHERE status = 'failed'",
  );
  const removeById = db.prepare<[number]>('DELETE FROM outbox WHERE id = ?');
  const nextDue = db.prepare<[], { at: number }>(
    "SELECT min(not_before) AS at FROM outbox WHERE status = 'pending'",
  );

  return {
    /** Queues a delivery once per key: queuing the same key again does nothing. */
    enqueue: (
      key: string,
      method: string,
      payload: Record<string, unknown>,
      effect: Effect | null = null,
    ): void => {
      // not_before 0: due at once, and no enqueue time is kept next to a user's delivery.
      insert.run(key, method, JSON.stringify(payload), effect && JSON.stringify(effect), 0);
    },
    /** Takes the next due delivery and records it as in flight before anything is sent. */
    claimNext: db.transaction((now: Date, pausedMethods: readonly string[]): OutboxRow | undefined => {
      const r = next.get(now.getTime(), JSON.stringify(pausedMethods));
      if (!r) return undefined;
      markSending.run(r.id);
      return {
        id: r.id,
        key: r.key,
        method: r.method,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        effect: r.effect === null ? null : (JSON.parse(r.effect) as Effect),
        attempts: r.attempts + 1,
      };
    }),
    /** Sent: the row goes, so no send time lingers in the database. */
    complete: (id: number): void => {
      remove.run(id);
    },
    /** Back to pending; a rate-limit wait does not count as an attempt. */
    retry: (id: number, notBefore: Date, error: string, countsAsAttempt: boolean): void => {
      retry.run(notBefore.getTime(), error, countsAsAttempt ? 0 : 1, id);
    },
    /**
     * Marks a delivery failed for good. One to a person about a round keeps nothing of the person or
     * the message: it only counts in `/teamhealth status` (a row naming a person and a round never
     * outlives its delivery).
     */
    fail: (id: number, error: string): void => {
      const row = keyOf.get(id);
      if (!row) return;
      const d = parseDeliveryKey(row.key);
      if (d && isPersonal(d)) {
        const failed = deliveryKey({
          kind: 'failed',
          of: d.kind,
          roundId: d.roundId,
          nonce: randomBytes(8).toString('hex'),
        });
        fail.run(failed, '{}', error, id);
      } else fail.run(row.key, row.payload, error, id);
    },
    /** At start: deliveries in flight when the process died are sent again (at most one repeat). */
    resetInFlight: (): number => resetInFlight.run().changes,
    counts: (): OutboxCounts => {
      const c: OutboxCounts = { pending: 0, sending: 0, failed: 0 };
      for (const r of counts.all()) c[r.status as keyof OutboxCounts] = r.n;
      return c;
    },
    failed: (limit: number): FailedDelivery[] =>
      failed
        .all(limit)
        .map((r) => ({ key: r.key, method: r.method, attempts: r.attempts, error: r.last_error })),
    nextDueAt: (): number | null => nextDue.get()?.at ?? null,
    /** Takes back a delivery not sent yet; false when there was none (sent, in flight, or never queued). */
    dropPending: (key: string): boolean => dropPending.run(key).changes > 0,
    /** Takes back a delivery not sent yet, or one that failed for good (so nothing about it lingers). */
    drop: (key: string): void => {
      drop.run(key);
    },
    /** Deletes failed deliveries that belong to the given rounds, so nothing of a round outlives its retention. */
    dropFailedOfRounds: (roundIds: readonly number[]): number => {
      if (roundIds.length === 0) return 0;
      const ids = new Set(roundIds);
      let n = 0;
      for (const r of failedKeys.all()) {
        const d = parseDeliveryKey(r.key);
        const round = d && roundOf(d);
        if (round !== null && ids.has(round)) n += removeById.run(r.id).changes;
      }
      return n;
    },
    /** Deletes failed lead digests (and their charts) whose slot is before `cutoff`. */
    dropFailedDigestsBefore: (cutoff: Date): number => {
      let n = 0;
      for (const r of failedKeys.all()) {
        const d = parseDeliveryKey(r.key);
        const slot = d && digestSlotOf(d);
        if (slot !== null && slot < cutoff.getTime()) n += removeById.run(r.id).changes;
      }
      return n;
    },
  };
}
