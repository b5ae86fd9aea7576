import { z } from 'zod';
import type { Services } from '../../context.ts';
import { DIMENSIONS } from '../../domain/dimensions.ts';
import { parseCheckinToken, USER_ID } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import { CHECKIN_CALLBACK } from '../../messages/checkin.ts';
import { groupCommit, NotDurableError } from '../../store/groupCommit.ts';
import { scrubAfterAnswer } from '../../store/scrub.ts';
import { type Durability, durability } from '../../store/walSync.ts';
import { type SubmitOutcome, submitCheckin } from '../../usecases/checkin.ts';
import { parseAnswers } from '../forms.ts';
import type { Listeners } from './dispatch.ts';

const Submission = z.object({
  user: z.object({ id: z.string().regex(USER_ID) }),
  view: z.object({
    private_metadata: z
      .string()
      .transform((v, ctx) => parseCheckinToken(v) ?? ctx.addIssue('not a check-in') ?? z.NEVER),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

/** `durable`: how answers are made durable (default: an asynchronous sync of the write-ahead log). */
export function registerViews(on: Listeners, s: Services, durable: Durability = durability(s.db)): void {
  // Submissions arriving together (a team answering after stand-up) share one commit and its sync; the
  // sync runs off the event loop, and batches committed meanwhile share the next one.
  const commit = groupCommit(s.db, durable);
  // Answers stored whose sync failed (`<round>:<user>`; who answered is in the database anyway): the
  // member was told to submit again, and that submission needs only a sync that succeeds. Kept in memory:
  // after a restart the answer counts as given (a clean stop syncs the file as SQLite closes it).
  const notDurable = new Set<string>();
  on.view(CHECKIN_CALLBACK, async ({ ack, body }) => {
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
    const userId = input.data.user.id;
    const { answers, note } = parsed.value;
    const now = new Date();
    const stored = `${input.data.view.private_metadata.roundId}:${userId}`;
    let outcome: SubmitOutcome;
    try {
      if (notDurable.has(stored)) {
        // Its first submission is stored: this one confirms it (the first answer counts), once synced.
        await durable.durable();
        notDurable.delete(stored);
        outcome = { ok: true };
      } else {
        outcome = await commit(() =>
          submitCheckin(s, input.data.view.private_metadata, userId, answers, note, now),
        );
      }
    } catch (err) {
      if (err instanceof NotDurableError) notDurable.add(stored);
      s.log.error(`a check-in could not be stored: ${errorMessage(err)}`);
      outcome = { ok: false, message: 'Your answer could not be stored just now. Please submit it again.' };
    }
    // The answer is committed and synced to disk before Slack closes the modal: an acknowledged answer
    // survives a crash and a power cut. A sync that failed lands in the catch above: submit again.
    if (outcome.ok) {
      await ack();
      // The WAL pairs this answer with its invite, and its place in the file tells when it came: scrub both.
      scrubAfterAnswer(s.db, s.log);
    } else await ack({ response_action: 'errors', errors: { [DIMENSIONS[0]]: outcome.message } });
  });
}
