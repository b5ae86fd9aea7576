/**
 * Escapes user text for Slack mrkdwn so `<!channel>`, `<!here>`, `<@U…>` and links in it are shown
 * as typed and never ping or link anyone.
 */
export const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const mention = (userId: string): string => `<@${userId}>`;

export const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } }) as const;

export const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] }) as const;

export const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } }) as const;

export const divider = () => ({ type: 'divider' }) as const;

/** Slack cuts nothing for us: long texts are cut here, on a character boundary, with an ellipsis. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export type Block = Record<string, unknown>;

export interface Message {
  text: string;
  blocks: Block[];
}
