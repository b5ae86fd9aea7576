import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { errorMessage } from '../../log.ts';
import {
  ACTION_BLOCK,
  ACTION_CALLBACK,
  actionAddedMessage,
  actionDoneModal,
  actionModal,
  PROPOSE_ACTION,
  tooManyActionsMessage,
} from '../../messages/actions.ts';
import { refusalMessage } from '../../messages/replies.ts';
import { addAction } from '../../usecases/actions.ts';
import { parseActionForm, parseProposal, ViewSubmission } from '../forms.ts';
import type { Listeners } from './dispatch.ts';

/** `We'll try: <Dimension>` under a summary's flags, one per suggestion: a modal to edit it, then the same use case as `action add`. */
export function registerActionProposals(on: Listeners, s: Services): void {
  on.action<BlockAction<ButtonAction>>(PROPOSE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const proposal = parseProposal(action.value);
    if (proposal === null) return;
    // A trigger id lives 3 s: the modal needs nothing from the database; the submission is checked.
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: actionModal(proposal.team, proposal.focus, proposal.text),
      });
    } catch (err) {
      s.log.warn(`action modal could not be opened: ${errorMessage(err)}`);
    }
  });

  on.view(ACTION_CALLBACK, async ({ ack, body }) => {
    const input = ViewSubmission.safeParse(body);
    if (!input.success) {
      await ack({
        response_action: 'errors',
        errors: { [ACTION_BLOCK.text]: 'This form could not be read. Please try again from the report.' },
      });
      return;
    }
    const parsed = parseActionForm(input.data.view.private_metadata, input.data.view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const { team, focus, text } = parsed.value;
    const r = addAction(s, input.data.user.id, team, focus, text);
    const message = r.ok
      ? actionAddedMessage(r.team.slug, r.action)
      : 'refusal' in r
        ? refusalMessage(r.refusal)
        : tooManyActionsMessage(r.team.slug, r.tooMany);
    await ack({ response_action: 'update', view: actionDoneModal(message) });
  });
}
