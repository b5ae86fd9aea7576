import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { CHECKIN_OPEN_ACTION, checkinModal, noticeModal } from '../blocks/checkin.ts';

/** Which modal a check-in button opens for this person, decided from the database alone (fast). */
export function checkinView(s: Services, roundIdText: unknown, userId: string): Record<string, unknown> {
  const roundId =
    typeof roundIdText === 'string' && /^\d{1,12}$/.test(roundIdText) ? Number(roundIdText) : null;
  const round = roundId === null ? undefined : s.rounds.byId(roundId);
  const invite = round && s.rounds.invite(round.id, userId);
  if (!round || !invite)
    return noticeModal('Weekly check-in', 'This check-in is not one you were invited to.');
  const team = s.teams.byId(round.teamId);
  if (round.closedAt !== null || !team) {
    return noticeModal(
      'Weekly check-in',
      'This check-in has closed. The next one comes with the next weekly DM.',
    );
  }
  if (invite.answered) {
    return noticeModal('Weekly check-in', 'You have already answered this check-in. Thank you!');
  }
  return checkinModal(team.slug, round.id);
}

export function registerActions(app: App, s: Services): void {
  app.action<BlockAction<ButtonAction>>(CHECKIN_OPEN_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    // A trigger id lives 3 s: nothing but a local lookup before views.open.
    const view = checkinView(s, action.value, body.user.id);
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: view as never });
    } catch (err) {
      s.log.warn(`check-in modal could not be opened: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
