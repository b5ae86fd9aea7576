import type { BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../context.ts';
import { DM_CHANNEL_ID, MESSAGE_TS, ROW_ID, USER_ID } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import {
  CONSENT_DECLINE_ACTION,
  CONSENT_JOIN_ACTION,
  CONSENT_LEAVE_ACTION,
  consentRefusalMessage,
} from '../../messages/consent.ts';
import {
  type ConsentOutcome,
  declineTeam,
  joinTeam,
  leaveTeam,
  type PressedIn,
} from '../../usecases/consent.ts';
import type { Listeners } from './dispatch.ts';

/** A consent button pressed in a DM: who pressed it, for which team, in which message. */
const Press = z.object({
  user: z.object({ id: z.string().regex(USER_ID) }),
  container: z.object({
    channel_id: z.string().regex(DM_CHANNEL_ID),
    message_ts: z.string().regex(MESSAGE_TS),
  }),
  actions: z.tuple([z.object({ value: z.string().regex(ROW_ID) })]),
});

type Decision = (s: Services, teamId: number, userId: string, dm: PressedIn) => ConsentOutcome;

const DECISIONS: ReadonlyArray<[string, Decision]> = [
  [CONSENT_JOIN_ACTION, joinTeam],
  [CONSENT_DECLINE_ACTION, declineTeam],
  [CONSENT_LEAVE_ACTION, leaveTeam],
];

/** Join, Not my team and Leave this team: the use case decides; a refusal is said to the person alone. */
export function registerConsent(on: Listeners, s: Services): void {
  for (const [actionId, decide] of DECISIONS) {
    on.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, respond }) => {
      await ack();
      const press = Press.safeParse(body);
      let outcome: ConsentOutcome;
      try {
        outcome = press.success
          ? decide(s, Number(press.data.actions[0].value), press.data.user.id, {
              channel: press.data.container.channel_id,
              ts: press.data.container.message_ts,
            })
          : { ok: false, refusal: { kind: 'unreadable' } };
      } catch (err) {
        s.log.error(`${actionId} could not be saved: ${errorMessage(err)}`);
        outcome = { ok: false, refusal: { kind: 'failed' } };
      }
      // Success shows in the DM itself (updated through the outbox).
      if (outcome.ok) return;
      try {
        const { text } = consentRefusalMessage(outcome.refusal);
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      } catch (err) {
        s.log.warn(`${actionId} reply could not be delivered: ${errorMessage(err)}`);
      }
    });
  }
}
