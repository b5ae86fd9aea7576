import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { buildDigest, type Digest } from '../domain/digest.ts';
import { assessTeam, HISTORY_ROUNDS, type TeamHealth } from '../domain/health.ts';
import { lastSlot, type Schedule, type Weekday } from '../domain/schedule.ts';
import { digestMessage } from '../messages/digest.ts';
import type { Message } from '../messages/text.ts';
import type { Team } from '../store/teams.ts';
import { digestActions } from './actions.ts';
import { queueDigestChart } from './charts.ts';
import { zoneOf } from './teams.ts';

const HOUR = 3_600_000;

/** One team's standing from its closed rounds (one query for the rounds, one per round for tallies). */
export const healthOf = (s: Services, team: Team): TeamHealth =>
  assessTeam(team, s.rounds.closedTallies(team.id, HISTORY_ROUNDS));

export const leadDigest = (s: Services, leadId: string): Digest =>
  buildDigest(
    leadId,
    s.teams.ledBy(leadId).map((t) => healthOf(s, t)),
  );

/** The lead's digest, now: `/teamhealth digest` and the weekly DM. */
export const leadDigestMessage = (s: Services, leadId: string): Message =>
  digestMessage(leadDigest(s, leadId), s.config.minResponses, digestActions(s, s.teams.ledBy(leadId)));

/** A digest missed while the process was down still goes out within this long after its time. */
export const DIGEST_CATCH_UP_HOURS = 24;

/**
 * Queues each lead's weekly digest once per scheduled slot (default Monday 09:00 in the lead's zone).
 * Returns how many were queued. Idempotent: the slot is recorded in the same transaction.
 */
export function queueDueDigests(s: Services, now: Date): number {
  let queued = 0;
  for (const leadId of s.teams.leads()) {
    let settings = s.leads.settings(leadId);
    if (!settings) {
      // A new lead: digests start from the next slot, in their own zone once Slack has told us it.
      settings = s.leads.ensure(leadId, s.config.defaultTimezone, now);
      s.lookupLeadTimezone?.(leadId);
    }
    const slot = lastSlot(
      { weekday: settings.weekday, time: settings.time, timezone: settings.timezone },
      now,
    );
    if (slot.getTime() < settings.since || now.getTime() >= slot.getTime() + DIGEST_CATCH_UP_HOURS * HOUR)
      continue;
    const sent = s.db.transaction((): boolean => {
      if (!s.leads.markSent(leadId, slot)) return false;
      s.outbox.enqueue(deliveryKey({ kind: 'digest', leadId, slot: slot.getTime() }), 'chat.postMessage', {
        channel: leadId,
        ...leadDigestMessage(s, leadId),
      });
      queueDigestChart(s, leadId, slot);
      return true;
    })();
    if (sent) queued++;
  }
  if (queued > 0) s.kick();
  return queued;
}

export type DigestScheduleResult =
  | { ok: false; leadsNoTeam: true }
  | { ok: false; badZone: string }
  | { ok: true; schedule: Schedule };

/** `/teamhealth digest schedule`: when the caller's weekly digest comes. */
export function setDigestSchedule(
  s: Services,
  caller: string,
  when: { weekday: Weekday; time: string; timezone: string | null },
  now: Date,
): DigestScheduleResult {
  if (s.teams.ledBy(caller).length === 0) return { ok: false, leadsNoTeam: true };
  return s.db.transaction((): DigestScheduleResult => {
    const current = s.leads.ensure(caller, s.config.defaultTimezone, now);
    const zone = zoneOf(when.timezone, current.timezone);
    if (zone === null) return { ok: false, badZone: when.timezone ?? '' };
    s.leads.setSchedule(caller, when.weekday, when.time, zone, now);
    return { ok: true, schedule: { weekday: when.weekday, time: when.time, timezone: zone } };
  })();
}
