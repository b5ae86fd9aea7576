import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { buildDigest, type Digest } from '../domain/digest.ts';
import type { DigestActions } from '../domain/effect.ts';
import { assessTeam, HISTORY_ROUNDS, type TeamHealth } from '../domain/health.ts';
import { lastSlot, type Schedule, type Weekday } from '../domain/schedule.ts';
import { digestMessage } from '../messages/digest.ts';
import type { Message } from '../messages/text.ts';
import { runInSlices, type SliceOptions, type Units } from '../slices.ts';
import type { Team } from '../store/teams.ts';
import { digestActionsOf } from './actions.ts';
import { queueDigestChart } from './charts.ts';
import { zoneOf } from './teams.ts';

const HOUR = 3_600_000;

/** One team's standing from its closed rounds (one query for the rounds, one per round for tallies). */
export const healthOf = (s: Services, team: Team): TeamHealth =>
  assessTeam(team, s.rounds.closedTallies(team.id, HISTORY_ROUNDS));

/** A lead's digest and each team's actions, built one team at a time (a pause after each). */
function* leadDigestUnits(
  s: Services,
  leadId: string,
): Units<{ digest: Digest; actions: Map<string, DigestActions> }> {
  const health: TeamHealth[] = [];
  const actions = new Map<string, DigestActions>();
  for (const team of s.teams.ledBy(leadId)) {
    // The team's history read once, for its standing and its actions.
    const history = s.rounds.closedTallies(team.id, HISTORY_ROUNDS);
    health.push(assessTeam(team, history));
    actions.set(team.slug, digestActionsOf(s, team, history));
    yield;
  }
  return { digest: buildDigest(leadId, health), actions };
}

function* digestMessageUnits(s: Services, leadId: string): Units<Message> {
  const { digest, actions } = yield* leadDigestUnits(s, leadId);
  return digestMessage(digest, s.config.minResponses, actions);
}

/** The lead's digest, built in slices that leave the event loop free (a lead may have a thousand teams). */
export const leadDigest = async (s: Services, leadId: string, o?: SliceOptions): Promise<Digest> =>
  (await runInSlices(leadDigestUnits(s, leadId), o)).digest;

/** The lead's digest as a message, now: `/teamhealth digest`. */
export const leadDigestMessage = (s: Services, leadId: string, o?: SliceOptions): Promise<Message> =>
  runInSlices(digestMessageUnits(s, leadId), o);

/** A digest missed while the process was down still goes out within this long after its time. */
export const DIGEST_CATCH_UP_HOURS = 24;

/**
 * Queues each lead's weekly digest once per scheduled slot (default Monday 09:00 in the lead's zone),
 * pausing after each team of each digest built (see jobs/tick.ts). Returns how many were queued.
 * Idempotent: the slot is recorded in the same transaction as the queued digest.
 */
export function* queueDueDigests(s: Services, now: Date): Units<number> {
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
    if (s.leads.wasSent(leadId, slot)) continue;
    const message = yield* digestMessageUnits(s, leadId);
    const sent = s.db.transaction((): boolean => {
      if (!s.leads.markSent(leadId, slot)) return false;
      s.outbox.enqueue(deliveryKey({ kind: 'digest', leadId, slot: slot.getTime() }), 'chat.postMessage', {
        channel: leadId,
        ...message,
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
