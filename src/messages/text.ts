import type {
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  PlainTextElement,
  SectionBlock,
} from '@slack/types';
import { describeInstant } from '../domain/schedule.ts';

/**
 * Escapes user text for Slack mrkdwn so `<!channel>`, `<!here>`, `<@U…>` and links in it are shown
 * as typed and never ping or link anyone.
 */
export const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const mention = (userId: string): string => `<@${userId}>`;

export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text });

export const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** A section Slack shows as written: no auto-linked URLs, channel names or mentions (people's own words). */
export const verbatimSection = (text: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text, verbatim: true },
});

export const context = (text: string): ContextBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(text) });

export const divider = (): DividerBlock => ({ type: 'divider' });

/** Slack cuts nothing for us: long texts are cut here, on a character boundary, with an ellipsis. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export type Block = KnownBlock;

/** Slack's limits: blocks in a message, and in a modal or the Home tab. */
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_VIEW_BLOCKS = 100;

export interface Message {
  text: string;
  blocks: Block[];
}

/**
 * A message as Slack can take it: parts of at most MAX_MESSAGE_BLOCKS blocks each, in order, so nothing
 * of a long one (a summary with many notes) is ever cut off.
 */
export function inParts(m: Message): Message[] {
  const parts: Message[] = [];
  for (let i = 0; i < m.blocks.length || parts.length === 0; i += MAX_MESSAGE_BLOCKS) {
    parts.push({ text: m.text, blocks: m.blocks.slice(i, i + MAX_MESSAGE_BLOCKS) });
  }
  return parts.map((p, i) =>
    i === 0 ? p : { ...p, text: `${m.text} (continued, ${i + 1} of ${parts.length})` },
  );
}

/** A message of one paragraph: most command replies. */
export const reply = (text: string): Message => ({ text, blocks: [section(text)] });

/**
 * A date and time Slack shows in the reader's own time zone; where it cannot, the plain text in `zone`
 * (the team's, say) or else UTC.
 */
export const localDate = (d: Date, zone?: string): string =>
  `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} at {time}|${zone ? describeInstant(d, zone) : d.toUTCString()}>`;
