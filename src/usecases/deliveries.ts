import type { Services } from '../context.ts';
import { type Delivery, parseDeliveryKey } from '../domain/delivery.ts';
import { checkinToken, replyToken } from '../domain/ids.ts';
import { closedMessage, withCheckinToken } from '../messages/checkin.ts';
import { withReplyButton } from '../messages/notes.ts';
import type { FailedDelivery, OutboxCounts, OutboxRow } from '../store/outbox.ts';
import { mayInTheApp } from './access.ts';
import { queueAwayNotice } from './away.ts';
import { rekeyUnseenRound } from './roundKey.ts';

// What the database learns from a delivery's outcome; each runs inside the outbox worker's transaction.

/** A check-in DM went out: remember where, so its updates and reminder find it. */
export function recordSent(s: Services, row: OutboxRow, result: Record<string, unknown>): void {
  forgetReplySecret(s, row);
  if (row.effect?.kind !== 'invite') return;
  const { roundId, userId } = row.effect;
  if (typeof result.channel !== 'string' || typeof result.ts !== 'string') return;
  if (s.rounds.invite(roundId, userId)) {
    s.rounds.setDm(roundId, userId, result.channel, result.ts);
    return;
  }
  // The invite was taken back while its DM was in flight (the person went away): say so in the DM.
  const round = s.rounds.byId(roundId);
  const team = round && s.teams.byId(round.teamId);
  const until = s.teams.awayUntil(userId, new Date());
  if (team && until)
    queueAwayNotice(s, team.slug, roundId, userId, { channel: result.channel, ts: result.ts }, until);
}

/**
 * A check-in or reminder failed for good. `unreachable`: Slack says the person can never be messaged,
 * so they are skipped from now on; a check-in that never reached its person does not count them.
 */
export function recordFailed(s: Services, row: OutboxRow, error: string, unreachable: boolean): void {
  forgetReplySecret(s, row);
  const effect = row.effect;
  if (!effect) return;
  if (unreachable) s.teams.markUnreachable(effect.userId, error);
  if (effect.kind === 'invite' || unreachable) s.rounds.removeUnanswered(effect.roundId, effect.userId);
}

/** A "recorded" DM went (or failed for good): the reply secret it carried is in no one's memory any more. */
function forgetReplySecret(s: Services, row: OutboxRow): void {
  const d = parseDeliveryKey(row.key);
  if (d?.kind === 'recorded') s.replySecrets.forget(d.roundId, d.userId);
}

/** How many of the latest failed deliveries `/teamhealth status` lists. */
export const STATUS_FAILURES = 10;

export type DeliveryStatus =
  | { ok: false }
  | { ok: true; counts: OutboxCounts; unreachable: number; failed: FailedDelivery[] };

/** The outbox at a glance, for admins: counts and the latest failures, never a message's content. */
export function deliveryStatus(s: Services, caller: string): DeliveryStatus {
  if (!mayInTheApp(s, 'see_deliveries', caller)) return { ok: false };
  return {
    ok: true,
    counts: s.outbox.counts(),
    unreachable: s.teams.unreachableCount(),
    failed: s.outbox.failed(STATUS_FAILURES),
  };
}

/**
 * The payload to send for a queued delivery: a DM about an open round gets the round key here, from
 * memory, so the key is never stored with the queued message. Null: not yet — a check-in whose round
 * key is not known since a restart waits until it is read back from Slack or a member's click brings it.
 */
export function prepareDelivery(s: Services, row: OutboxRow): Record<string, unknown> | null {
  const d = parseDeliveryKey(row.key);
  const payload = d ? withRoundKey(s, row, d) : row.payload;
  if (d?.kind !== 'recorded' || payload === null) return payload;
  // The author of a note gets the button to its thread, its secret from memory (see usecases/notes.ts).
  const secret = s.replySecrets.get(d.roundId, d.userId);
  return secret ? withReplyButton(payload, replyToken({ roundId: d.roundId, secret })) : payload;
}

function withRoundKey(s: Services, row: OutboxRow, d: Delivery): Record<string, unknown> | null {
  if (d.kind !== 'invite' && d.kind !== 'reminder' && d.kind !== 'recorded' && d.kind !== 'away') {
    return row.payload;
  }
  const round = s.rounds.byId(d.roundId);
  // A round without a key (opened before answers were sealed): its button carries the round alone.
  if (!round || round.keyCheck === null) return row.payload;
  const team = round.closedAt === null ? undefined : s.teams.byId(round.teamId);
  if (team) {
    // Closed before its check-in went out: the one DM the person gets says so, with nothing to press.
    return d.kind === 'invite' ? { channel: row.payload.channel, ...closedMessage(team.slug) } : row.payload;
  }
  const key = s.keys.get(round.id) ?? (d.kind === 'invite' ? rekeyUnseenRound(s, round) : undefined);
  if (key) return withCheckinToken(row.payload, checkinToken({ roundId: round.id, key }));
  if (d.kind === 'invite') return null;
  return d.kind === 'reminder' ? withCheckinToken(row.payload, null) : row.payload;
}
