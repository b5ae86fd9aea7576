import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { parseReplyToken } from '../../domain/ids.ts';
import { parseNoteRef } from '../../domain/notes.ts';
import { errorMessage } from '../../log.ts';
import { noticeModal } from '../../messages/checkin.ts';
import {
  NOTE_ANSWER_CALLBACK,
  NOTE_REPLY_ACTION,
  NOTE_REPLY_CALLBACK,
  NOTE_THREAD_ACTION,
  REPLY_BLOCK,
  threadModal,
} from '../../messages/notes.ts';
import {
  answerNote,
  authorThread,
  replyToNote,
  type ThreadResult,
  teamThread,
} from '../../usecases/notes.ts';
import { parseReply, ViewSubmission } from '../forms.ts';
import type { Listeners } from './dispatch.ts';

const UNREADABLE = 'This button did not come through as expected.';

const view = (r: ThreadResult) => (r.ok ? threadModal(r.thread) : noticeModal('Note', r.message));

/**
 * A note's thread: the team side opens it from a note's `Reply` button (or the message saying its author
 * answered), the author from the button on their own check-in DM. Each side's submission adds to it.
 * Nothing here logs who pressed what: a log line beside a token would say who wrote the note.
 */
export function registerNotes(on: Listeners, s: Services): void {
  const open = (actionId: string, thread: (value: string, userId: string) => ThreadResult | null) =>
    on.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      // A trigger id lives 3 s: a few local lookups, then the modal.
      const r = thread(action.value ?? '', body.user.id) ?? { ok: false, message: UNREADABLE };
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: view(r) });
      } catch (err) {
        s.log.warn(`note thread could not be opened: ${errorMessage(err)}`);
      }
    });
  open(NOTE_REPLY_ACTION, (value, userId) => {
    const ref = parseNoteRef(value);
    return ref && teamThread(s, ref, userId);
  });
  open(NOTE_THREAD_ACTION, (value) => {
    const token = parseReplyToken(value);
    return token && authorThread(s, token);
  });

  const submit = (
    callbackId: string,
    send: (metadata: string, userId: string, text: string) => ThreadResult | null,
  ) =>
    on.view(callbackId, async ({ ack, body }) => {
      const input = ViewSubmission.safeParse(body);
      const parsed = input.success ? parseReply(input.data.view.state.values) : null;
      if (!input.success || parsed === null) {
        await ack({ response_action: 'errors', errors: { [REPLY_BLOCK]: UNREADABLE } });
        return;
      }
      if (!parsed.ok) {
        await ack({ response_action: 'errors', errors: parsed.errors });
        return;
      }
      const r = send(input.data.view.private_metadata, input.data.user.id, parsed.value);
      if (r === null) await ack({ response_action: 'errors', errors: { [REPLY_BLOCK]: UNREADABLE } });
      else if (!r.ok) await ack({ response_action: 'errors', errors: { [REPLY_BLOCK]: r.message } });
      // Sent: the modal shows the thread with the new message at its end.
      else await ack({ response_action: 'update', view: threadModal(r.thread) });
    });
  submit(NOTE_REPLY_CALLBACK, (metadata, userId, text) => {
    const ref = parseNoteRef(metadata);
    return ref && replyToNote(s, ref, userId, text);
  });
  submit(NOTE_ANSWER_CALLBACK, (metadata, _userId, text) => {
    const token = parseReplyToken(metadata);
    return token && answerNote(s, token, text);
  });
}
