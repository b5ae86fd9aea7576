import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../context.ts';
import { USER_ID } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import {
  NEW_TEAM_VALUE,
  PICK_TEAM_ACTION,
  SETUP_BLOCK,
  SETUP_CALLBACK,
  setupModal,
} from '../../messages/setup.ts';
import { confirmSetup, type SaveOutcome, saveSetup, setupForm } from '../../usecases/setup.ts';
import { parseSetup, parseSetupMetadata } from '../forms.ts';
import type { Listeners } from './dispatch.ts';

const UserId = z.string().regex(USER_ID);

const Submission = z.object({
  user: z.object({ id: UserId }),
  view: z.object({
    private_metadata: z.string().max(3000),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});

const Pick = z.object({
  user: z.object({ id: UserId }),
  view: z.object({ id: z.string().min(1).max(64), hash: z.string().min(1).max(200) }),
  actions: z
    .array(
      z.object({ action_id: z.literal(PICK_TEAM_ACTION), selected_option: z.object({ value: z.string() }) }),
    )
    .min(1),
});

const UNREADABLE = 'This form could not be read. Close it and run /teamhealth setup again.';

/**
 * Opens the setup modal. Call it right after ack(): the trigger id lives 3 s, and nothing but local
 * SQLite reads happens before views.open. Never throws; a failure is logged.
 */
export async function openSetup(
  client: webApi.WebClient,
  triggerId: string,
  s: Services,
  userId: string,
): Promise<void> {
  try {
    await client.views.open({ trigger_id: triggerId, view: setupModal(setupForm(s, userId)) });
  } catch (err) {
    s.log.warn(`setup modal could not be opened: ${errorMessage(err)}`);
  }
}

export function registerSetup(on: Listeners, s: Services): void {
  on.action(PICK_TEAM_ACTION, async ({ ack, body, client }) => {
    await ack();
    const input = Pick.safeParse(body);
    if (!input.success) {
      s.log.warn('setup: a team pick could not be read');
      return;
    }
    const { user, view, actions } = input.data;
    const value = actions[0]?.selected_option.value;
    const selected = value === NEW_TEAM_VALUE || value === undefined ? undefined : value;
    // The form shows only a team the caller may edit; any other value falls back to a new team.
    const next = setupModal(setupForm(s, user.id, selected));
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: next });
    } catch (err) {
      // hash_conflict: the modal changed meanwhile (another pick); the latest pick wins.
      s.log.warn(`setup modal could not be updated: ${errorMessage(err)}`);
    }
  });

  on.view(SETUP_CALLBACK, async ({ ack, body }) => {
    const input = Submission.safeParse(body);
    const metadata = input.success ? parseSetupMetadata(input.data.view.private_metadata) : null;
    if (!input.success || metadata === null) {
      await ack({ response_action: 'errors', errors: { [SETUP_BLOCK.team]: UNREADABLE } });
      return;
    }
    const parsed = parseSetup(input.data.view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const callerId = input.data.user.id;
    const now = new Date();
    let outcome: SaveOutcome;
    try {
      outcome = saveSetup(s, callerId, metadata.team, parsed.value, now);
    } catch (err) {
      s.log.error(`setup could not be saved: ${errorMessage(err)}`);
      outcome = { ok: false, error: 'Something went wrong and nothing was saved. Please try again.' };
    }
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: { [SETUP_BLOCK.team]: outcome.error } });
      return;
    }
    // Committed before Slack closes the modal.
    await ack();
    try {
      confirmSetup(s, callerId, outcome, now);
    } catch (err) {
      s.log.error(`setup confirmation could not be queued: ${errorMessage(err)}`);
    }
  });
}
