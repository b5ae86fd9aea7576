import type { Services } from '../context.ts';
import type { Answers } from '../domain/dimensions.ts';
import type { CheckinForm } from '../messages/checkin.ts';
import { readersOf } from './consent.ts';
import { queueRecordedNotice } from './rounds.ts';

/** What the check-in button opens for this person, decided from the database alone (fast). */
export function checkinForm(s: Services, roundId: number | null, userId: string, now: Date): CheckinForm {
  const round = roundId === null ? undefined : s.rounds.byId(roundId);
  const invite = round && s.rounds.invite(round.id, userId);
  if (round && !invite && round.closedAt === null && s.teams.awayUntil(userId, now)) return { kind: 'away' };
  if (!round || !invite) return { kind: 'not_invited' };
  const team = s.teams.byId(round.teamId);
  if (round.closedAt !== null || !team) return { kind: 'closed' };
  if (invite.answered) return { kind: 'answered' };
  return { kind: 'form', team: team.slug, roundId: round.id, readers: readersOf(s, team) };
}

export type SubmitOutcome = { ok: true } | { ok: false; message: string };

/**
 * Stores one check-in anonymously and marks the invite answered, or refuses it with the reason;
 * either way in one transaction. The caller acknowledges only once this has committed.
 */
export function submitCheckin(
  s: Services,
  roundId: number,
  userId: string,
  answers: Answers,
  note: string | null,
  now: Date,
): SubmitOutcome {
  return s.db.transaction((): SubmitOutcome => {
    const round = s.rounds.byId(roundId);
    const invite = round && s.rounds.invite(round.id, userId);
    if (!round || !invite) return { ok: false, message: 'This check-in is not one you were invited to.' };
    if (round.closedAt !== null || round.closesAt.getTime() <= now.getTime()) {
      return { ok: false, message: 'This check-in has closed, so the answer was not stored.' };
    }
    if (invite.answered || !s.rounds.recordResponse(round.id, userId, answers, note)) {
      return { ok: false, message: 'You have already answered this check-in; the first answer counts.' };
    }
    const team = s.teams.byId(round.teamId);
    if (team) queueRecordedNotice(s, team, round.id, userId);
    return { ok: true };
  })();
}
