import type { Services } from '../context.ts';
import type { Message } from './blocks/text.ts';
import { section } from './blocks/text.ts';

/** The caller's lead digest, now. */
export function digestMessage(s: Services, leadId: string, _now: Date): Message {
  const teams = s.teams.ledBy(leadId);
  const text =
    teams.length === 0
      ? 'You lead no team, so there is no digest to show. A team’s manager can name you with `/teamhealth team lead <team> @you`.'
      : `You lead ${teams.length} team${teams.length === 1 ? '' : 's'}.`;
  return { text, blocks: [section(text)] };
}
