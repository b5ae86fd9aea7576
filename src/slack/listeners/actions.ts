import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { isUserId, parseCheckinToken, parseRowId } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import { CHECKIN_AWAY_ACTION, CHECKIN_OPEN_ACTION, checkinFormView } from '../../messages/checkin.ts';
import { PLAYBOOK_ACTION, playbookView } from '../../messages/insights.ts';
import { awayFromCheckin } from '../../usecases/away.ts';
import { checkinForm } from '../../usecases/checkin.ts';
import { parsePlaybookValue } from '../forms.ts';
import type { Listeners } from './dispatch.ts';

export function registerActions(on: Listeners, s: Services): void {
  on.action<BlockAction<ButtonAction>>(CHECKIN_AWAY_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user?.id;
    if (!isUserId(userId)) return;
    const outcome = awayFromCheckin(s, parseRowId(action.value), userId, new Date());
    // Success shows in the DM itself (updated through the outbox); a refusal is said to the person alone.
    if (outcome.ok) return;
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
    } catch (err) {
      s.log.warn(`away button reply could not be delivered: ${errorMessage(err)}`);
    }
  });

  on.action<BlockAction<ButtonAction>>(CHECKIN_OPEN_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    // A trigger id lives 3 s: nothing but a local lookup before views.open.
    const form = checkinForm(s, parseCheckinToken(action.value), body.user.id, new Date());
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: checkinFormView(form) });
    } catch (err) {
      s.log.warn(`check-in modal could not be opened: ${errorMessage(err)}`);
    }
  });

  // A flag's "More ideas": the playbook is the same for everyone, so the modal needs no lookup at all.
  on.action<BlockAction<ButtonAction>>(PLAYBOOK_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const ref = parsePlaybookValue(action.value);
    try {
      if (ref) await client.views.open({ trigger_id: body.trigger_id, view: playbookView(ref) });
      else {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'That button did not come through as expected. `/teamhealth report` shows the flags again.',
        });
      }
    } catch (err) {
      s.log.warn(`playbook could not be shown: ${errorMessage(err)}`);
    }
  });
}
