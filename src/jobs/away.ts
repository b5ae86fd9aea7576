import type { Services } from '../context.ts';
import { awayMessage } from '../slack/blocks/checkin.ts';

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
      s.rounds.removeUnanswered(invite.roundId, userId);
      s.outbox.dropPending(`reminder:${invite.roundId}:${userId}`);
      const unsent = s.outbox.dropPending(`invite:${invite.roundId}:${userId}`);
      if (!unsent && invite.dmChannel !== null && invite.dmTs !== null) {
        s.outbox.enqueue(`away:${invite.roundId}:${userId}`, 'chat.update', {
          channel: invite.dmChannel,
          ts: invite.dmTs,
          ...awayMessage(team.slug, end),
        });
      }
      // An invite in flight right now is handled when Slack answers (see deliveryHooks.onSent).
      skipped.push(team.slug);
    }
    return { until: end, skipped };
  })();
  if (result.skipped.length > 0) s.kick();
  return result;
}
