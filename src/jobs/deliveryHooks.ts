import type { Services } from '../context.ts';
import { awayMessage } from '../slack/blocks/checkin.ts';
import type { OutboxHooks } from './outbox.ts';

/** Slack's answers that mean this person can never be messaged: they are skipped from now on. */
export const UNREACHABLE_ERRORS: ReadonlySet<string> = new Set([
  'account_inactive',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
]);

/** What the database learns from a delivery's outcome; runs inside the worker's transaction. */
export function deliveryHooks(s: Services): OutboxHooks {
  return {
    onSent: (row, result) => {
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
      if (team && until) {
        s.outbox.enqueue(`away:${roundId}:${userId}`, 'chat.update', {
          channel: result.channel,
          ts: result.ts,
          ...awayMessage(team.slug, until),
        });
      }
    },
    onFailed: (row, error) => {
      const effect = row.effect;
      if (!effect) return;
      if (UNREACHABLE_ERRORS.has(error)) s.teams.markUnreachable(effect.userId, error);
      // A check-in that never reached its person does not count them as invited.
      if (effect.kind === 'invite' || UNREACHABLE_ERRORS.has(error)) {
        s.rounds.removeUnanswered(effect.roundId, effect.userId);
      }
    },
  };
}
