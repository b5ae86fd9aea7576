import { context, type Message, section } from './text.ts';

/** How many answered a round still open, as its manager, lead and admins may see it. */
export interface LiveCount {
  round: number;
  invited: number;
  answered: number;
  minResponses: number;
}

/**
 * Below the threshold the number is not given, so a count that moves cannot be tied to the one person
 * who just said they answered; from the threshold on it is "N of M answered so far".
 */
export const liveCountLine = (c: LiveCount): string =>
  c.answered >= c.minResponses
    ? `${c.answered} of ${c.invited} answered so far`
    : `fewer than ${c.minResponses} answered so far`;

/** `/teamhealth report`: the latest closed round, and for a round still open only how many answered. */
export function reportMessage(
  slug: string,
  latest: Message | null,
  open: boolean,
  live: LiveCount | null,
): Message {
  const liveBlocks = live ? [context(`Round ${live.round} is open: ${liveCountLine(live)}.`)] : [];
  if (latest) {
    return { text: latest.text, blocks: [...latest.blocks, ...liveBlocks] };
  }
  const text = `*${slug}* has no closed round yet.${open ? '' : ` \`/teamhealth checkin ${slug}\` opens one now.`}`;
  return { text, blocks: [section(text), ...liveBlocks] };
}
