import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { markAway } from '../../jobs/away.ts';
import { CHECKIN_AWAY_ACTION, CHECKIN_OPEN_ACTION, checkinModal, noticeModal } from '../blocks/checkin.ts';

/** Which modal a check-in button opens for this person, decided from the database alone (fast). */
export function checkinView(s: Services, roundIdText: unknown, userId: string): Record<string, unknown> {
  const roundId =
    typeof roundIdText === 'string' && /^\d{1,12}$/.test(roundIdText) ? Number(roundIdText) : null;
  const round = roundId === null ? undefined : s.rounds.byId(roundId);
  const invite = round && s.rounds.invite(round.id, userId);
  if (round && !invite && round.closedAt === null && s.teams.awayUntil(userId, new Date())) {
    return noticeModal(
      'Weekly check-in',
      'You marked yourself away, so this check-in skips you. `/teamhealth away off` when you are back.',
    );
  }
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

type AwayOutcome = { ok: true } | { ok: false; message: string };

/**
 * "Away this week" in a check-in DM: the person is away until the round closes, so it (and any other
 * open check-in of theirs) neither reminds nor counts them. Decided and written in one transaction.
 */
export function awayFromCheckin(s: Services, roundIdText: unknown, userId: string, now: Date): AwayOutcome {
  const roundId =
    typeof roundIdText === 'string' && /^\d{1,12}$/.test(roundIdText) ? Number(roundIdText) : null;
  return s.db.transaction((): AwayOutcome => {
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

export function registerActions(app: App, s: Services): void {
  app.action<BlockAction<ButtonAction>>(CHECKIN_AWAY_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user?.id;
    if (typeof userId !== 'string' || !/^[UW][A-Za-z0-9]+$/.test(userId)) return;
    const outcome = awayFromCheckin(s, action.value, userId, new Date());
    // Success shows in the DM itself (updated through the outbox); a refusal is said to the person alone.
    if (outcome.ok) return;
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
    } catch (err) {
      s.log.warn(
        `away button reply could not be delivered: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  });

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
