import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../context.ts';
import { type Answers, DIMENSIONS, NOTE_MAX_LENGTH, type Score } from '../../domain/dimensions.ts';
import { queueRecordedNotice } from '../../jobs/rounds.ts';
import { groupCommit } from '../../store/groupCommit.ts';
import { scrubAfterAnswer } from '../../store/scrub.ts';
import { CHECKIN_CALLBACK, NOTE_BLOCK } from '../blocks/checkin.ts';

const Submission = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Za-z0-9]+$/) }),
  view: z.object({
    private_metadata: z.string().regex(/^\d{1,12}$/),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

/** The single action's state inside an input block, whatever its action id. */
const only = (block: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
  const first = block && Object.values(block)[0];
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
};

type Parsed =
  | { ok: true; answers: Answers; note: string | null }
  | { ok: false; errors: Record<string, string> };

/** Reads the four answers and the note from a submission's state, or says per block what is wrong. */
export function parseAnswers(values: Record<string, Record<string, unknown>>): Parsed {
  const errors: Record<string, string> = {};
  const answers: Partial<Answers> = {};
  for (const d of DIMENSIONS) {
    const selected = only(values[d])?.selected_option as { value?: unknown } | null | undefined;
    const value = selected?.value;
    if (typeof value === 'string' && /^[1-5]$/.test(value)) answers[d] = Number(value) as Score;
    else errors[d] = 'Pick one of the five answers.';
  }
  const rawNote = only(values[NOTE_BLOCK])?.value;
  let note: string | null = null;
  if (rawNote !== undefined && rawNote !== null) {
    if (typeof rawNote !== 'string') errors[NOTE_BLOCK] = 'The note must be text.';
    else if (rawNote.length > NOTE_MAX_LENGTH) {
      errors[NOTE_BLOCK] = `Keep the note to ${NOTE_MAX_LENGTH} characters (it has ${rawNote.length}).`;
    } else if (rawNote.trim().length > 0) note = rawNote.trim();
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, answers: answers as Answers, note };
}

type Outcome = { ok: true } | { ok: false; message: string };

/** Stores one check-in, or refuses it with the reason; either way in one transaction. */
export function submitCheckin(
  s: Services,
  roundId: number,
  userId: string,
  answers: Answers,
  note: string | null,
  now: Date,
): Outcome {
  return s.db.transaction((): Outcome => {
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

export function registerViews(app: App, s: Services): void {
  // Submissions arriving together (a team answering after stand-up) share one commit and its fsync.
  const commit = groupCommit(s.db);
  app.view(CHECKIN_CALLBACK, async ({ ack, body }) => {
    const input = Submission.safeParse(body);
    if (!input.success) {
      await ack({
        response_action: 'errors',
        errors: { [DIMENSIONS[0]]: 'This check-in could not be read. Please try again from the DM.' },
      });
      return;
    }
    const parsed = parseAnswers(input.data.view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const roundId = Number(input.data.view.private_metadata);
    const userId = input.data.user.id;
    const { answers, note } = parsed;
    const now = new Date();
    let outcome: Outcome;
    try {
      outcome = await commit(() => submitCheckin(s, roundId, userId, answers, note, now));
    } catch (err) {
      s.log.error(`a check-in could not be stored: ${err instanceof Error ? err.message : String(err)}`);
      outcome = { ok: false, message: 'Your answer could not be stored just now. Please submit it again.' };
    }
    // The answer is committed before Slack closes the modal: an acknowledged answer is never lost.
    if (outcome.ok) {
      await ack();
      // The WAL pairs this answer with its invite, and its place in the file tells when it came: scrub both.
      scrubAfterAnswer(s.db, s.log);
    } else await ack({ response_action: 'errors', errors: { [DIMENSIONS[0]]: outcome.message } });
  });
}
