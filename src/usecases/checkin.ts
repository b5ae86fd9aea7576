import type { Services } from '../context.ts';
import type { Answers } from '../domain/dimensions.ts';
import { type CheckinToken, checkinToken } from '../domain/ids.ts';
import { type CheckinForm, STALE_CHECKIN } from '../messages/checkin.ts';
import type { Round } from '../store/rounds.ts';
import { keyCheck, keyMatches, newReplySecret } from '../store/sealing.ts';
import { readersOf } from './consent.ts';
import { queueRecordedNotice } from './rounds.ts';

/**
 * Whether the token a check-in brought carries the round's own key (always true for a round without
 * one). A matching key is remembered: it is how the app learns a round key back after a restart.
 */
function keyFits(s: Services, round: Round, token: CheckinToken): boolean {
  if (round.keyCheck === null) return true;
  if (token.key === null || !keyMatches(token.key, round.keyCheck)) return false;
  if (round.closedAt === null) s.keys.remember(round.id, token.key);
  return true;
}

/** What the check-in button opens for this person, decided from the database alone (fast). */
export function checkinForm(s: Services, token: CheckinToken | null, userId: string, now: Date): CheckinForm {
  const round = token === null ? undefined : s.rounds.byId(token.roundId);
  const invite = round && s.rounds.invite(round.id, userId);
  if (round && !invite && round.closedAt === null && s.teams.awayUntil(userId, now)) return { kind: 'away' };
  if (!round || !invite) return { kind: 'not_invited' };
  const team = s.teams.byId(round.teamId);
  if (round.closedAt !== null || !team) return { kind: 'closed' };
  if (invite.answered) return { kind: 'answered' };
  if (!keyFits(s, round, token as CheckinToken)) return { kind: 'stale' };
  return {
    kind: 'form',
    team: team.slug,
    token: checkinToken(token as CheckinToken),
    readers: readersOf(s, team, round.minResponses),
  };
}

export type SubmitOutcome = { ok: true } | { ok: false; message: string };

/**
 * Stores one check-in anonymously and marks the invite answered, or refuses it with the reason;
 * either way in one transaction. The caller acknowledges only once this has committed.
 */
export function submitCheckin(
  s: Services,
  token: CheckinToken,
  userId: string,
  answers: Answers,
  note: string | null,
  now: Date,
): SubmitOutcome {
  return s.db.transaction((): SubmitOutcome => {
    const round = s.rounds.byId(token.roundId);
    const invite = round && s.rounds.invite(round.id, userId);
    if (!round || !invite) return { ok: false, message: 'This check-in is not one you were invited to.' };
    if (round.closedAt !== null || round.closesAt.getTime() <= now.getTime()) {
      return { ok: false, message: 'This check-in has closed, so the answer was not stored.' };
    }
    if (!invite.answered && !keyFits(s, round, token)) return { ok: false, message: STALE_CHECKIN };
    // A note gets a reply secret: its check is stored with the note, the secret itself only in memory
    // until the author's "recorded" DM carries it (see usecases/notes.ts).
    const secret = note === null ? null : newReplySecret();
    const check = secret && keyCheck(secret);
    if (invite.answered || !s.rounds.recordResponse(round.id, userId, answers, note, token.key, check)) {
      return { ok: false, message: 'You have already answered this check-in; the first answer counts.' };
    }
    const team = s.teams.byId(round.teamId);
    if (team && queueRecordedNotice(s, team, round.id, userId) && secret) {
      s.replySecrets.remember(round.id, userId, secret);
    }
    return { ok: true };
  })();
}
