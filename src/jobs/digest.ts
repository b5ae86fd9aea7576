import type { Services } from '../context.ts';
import { lastSlot } from '../domain/schedule.ts';
import { digestMessage } from '../slack/digest.ts';

const HOUR = 3_600_000;
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
      s.outbox.enqueue(`digest:${leadId}:${slot.getTime()}`, 'chat.postMessage', {
        channel: leadId,
        ...digestMessage(s, leadId),
      });
      return true;
    })();
    if (sent) queued++;
  }
  if (queued > 0) s.kick();
  return queued;
}
