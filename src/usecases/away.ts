import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { awayMessage } from '../messages/checkin.ts';

const DAY = 24 * 3_600_000;

/**
 * When `/teamhealth away <weeks>` ends: the same time of day one day short of the full weeks, so
 * `away` on the morning a weekly check-in opened skips that one and not next week's too.
 */
export const awayEnd = (now: Date, weeks: number): Date => new Date(now.getTime() + (weeks * 7 - 1) * DAY);

export interface AwayResult {
  /** When the absence ends (the later of the one asked for and one already set). */
  until: Date;
  /** Slugs of the teams whose open check-in no longer counts the person. */
  skipped: string[];
}

/**
 * Marks the person away until `until`, and takes back, in the same transaction, every unanswered invite
 * of theirs in a round still open: no reminder, not counted as invited. A check-in DM already sent is
 * updated to say so; one not sent yet is not sent at all.
 */
export function markAway(s: Services, userId: string, until: Date, now: Date): AwayResult {
  const result = s.db.transaction((): AwayResult => {
    const current = s.teams.awayUntil(userId, now);
    const end = current && current.getTime() > until.getTime() ? current : until;
    s.teams.setAway(userId, end);
    const skipped: string[] = [];
    for (const invite of s.rounds.openInvitesOf(userId)) {
      const round = s.rounds.byId(invite.roundId);
      const team = round && s.teams.byId(round.teamId);
      if (!team) continue;
      const { roundId } = invite;
      const unsent = withdrawInvite(s, roundId, userId);
      if (!unsent && invite.dmChannel !== null && invite.dmTs !== null) {
        queueAwayNotice(s, team.slug, roundId, userId, { channel: invite.dmChannel, ts: invite.dmTs }, end);
      }
      // An invite in flight right now is handled when Slack answers (see deliveryHooks.onSent).
      skipped.push(team.slug);
    }
    return { until: end, skipped };
  })();
  if (result.skipped.length > 0) s.kick();
  return result;
}

/**
 * Takes back the person's unanswered invite to a round (they are away, or left the team): not counted,
 * not reminded, and its DM not sent if it has not gone out yet. True when the DM had not gone out.
 */
export function withdrawInvite(s: Services, roundId: number, userId: string): boolean {
  s.rounds.removeUnanswered(roundId, userId);
  s.outbox.dropPending(deliveryKey({ kind: 'reminder', roundId, userId }));
  return s.outbox.dropPending(deliveryKey({ kind: 'invite', roundId, userId }));
}

/** The check-in DM, already sent, now says its person is away (see markAway and recordSent). */
export function queueAwayNotice(
  s: Services,
  team: string,
  roundId: number,
  userId: string,
  dm: { channel: string; ts: string },
  until: Date,
): void {
  s.outbox.enqueue(deliveryKey({ kind: 'away', roundId, userId }), 'chat.update', {
    ...dm,
    ...awayMessage(team, until),
  });
}

export type AwayFromCheckin = { ok: true } | { ok: false; message: string };

/**
 * "Away this week" in a check-in DM: the person is away until the round closes, so it (and any other
 * open check-in of theirs) neither reminds nor counts them. Decided and written in one transaction.
 */
export function awayFromCheckin(
  s: Services,
  roundId: number | null,
  userId: string,
  now: Date,
): AwayFromCheckin {
  return s.db.transaction((): AwayFromCheckin => {
    const round = roundId === null ? undefined : s.rounds.byId(roundId);
    const invite = round && s.rounds.invite(round.id, userId);
    if (!round || !invite) return { ok: false, message: 'This check-in is not one you were invited to.' };
    if (round.closedAt !== null) return { ok: false, message: 'This check-in has already closed.' };
    if (invite.answered) {
      return { ok: false, message: 'You have already answered this check-in, so it counts. Thank you!' };
    }
    markAway(s, userId, round.closesAt, now);
    return { ok: true };
  })();
}

export interface GoneAway extends AwayResult {
  /** False when the person is on no team at all (nothing to skip yet). */
  onATeam: boolean;
}

/** `/teamhealth away [weeks]`. */
export function goAway(s: Services, userId: string, weeks: number, now: Date): GoneAway {
  const result = markAway(s, userId, awayEnd(now, weeks), now);
  const onATeam = s.teams.forUser(userId).some((t) => s.teams.isMember(t.id, userId));
  return { ...result, onATeam };
}

/** `/teamhealth away off`: true when the person had been away. */
export const comeBack = (s: Services, userId: string): boolean => s.teams.clearAway(userId);
