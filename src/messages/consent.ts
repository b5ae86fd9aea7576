import type { ActionsBlock, Button } from '@slack/types';
import { type Readers, readersSentence } from './readers.ts';
import { context, escapeText, type Message, mention, plain, reply, section } from './text.ts';

// Consent to be surveyed: the DM that asks a person to join a team, the welcome after an admin added
// them, what those DMs turn into, and the answers to buttons that no longer apply.

export const CONSENT_JOIN_ACTION = 'consent_join';
export const CONSENT_DECLINE_ACTION = 'consent_decline';
export const CONSENT_LEAVE_ACTION = 'consent_leave';
const CONSENT_BLOCK = 'consent_actions';

/** The team a DM is about; its id travels as the buttons' value. */
export interface TeamRef {
  slug: string;
  id: number;
}

const button = (action: string, text: string, team: TeamRef, style?: 'primary'): Button => ({
  type: 'button',
  action_id: action,
  text: plain(text),
  value: String(team.id),
  ...(style && { style }),
});

const leaveButton = (team: TeamRef): ActionsBlock => ({
  type: 'actions',
  block_id: CONSENT_BLOCK,
  elements: [button(CONSENT_LEAVE_ACTION, 'Leave this team', team)],
});

/** The one DM to someone added by a non-admin: who added them, who reads the results, Join or not. */
export function joinRequestMessage(team: TeamRef, addedBy: string, readers: Readers): Message {
  const t = escapeText(team.slug);
  const adder = mention(addedBy);
  return {
    text: `${adder} asked you to join the weekly check-ins of ${t}. Nothing starts until you press Join.`,
    blocks: [
      section(
        `${adder} asked you to join the weekly team-health check-ins of *${t}*: four anonymous ` +
          'questions about your week, under a minute.',
      ),
      section(readersSentence(readers)),
      {
        type: 'actions',
        block_id: CONSENT_BLOCK,
        elements: [
          button(CONSENT_JOIN_ACTION, 'Join', team, 'primary'),
          button(CONSENT_DECLINE_ACTION, 'Not my team', team),
        ],
      },
      context(
        `Until you press Join you get no check-ins and are not counted. Not my team takes you off *${t}*, ` +
          `and ${adder} is told.`,
      ),
    ],
  };
}

/** The DM to someone an admin added: on the team at once, told who reads the results, free to leave. */
export function addedMessage(team: TeamRef, addedBy: string, readers: Readers): Message {
  const t = escapeText(team.slug);
  const text = `${mention(addedBy)}, an admin of teamhealth, added you to the weekly check-ins of *${t}*.`;
  return {
    text,
    blocks: [
      section(`${text} Four anonymous questions about your week, under a minute.`),
      section(readersSentence(readers)),
      leaveButton(team),
      context(`Not your team? Leave this team takes you off *${t}*.`),
    ],
  };
}

/** The join DM after Join. */
export function joinedMessage(team: TeamRef, readers: Readers): Message {
  const text = `You joined *${escapeText(team.slug)}*: your first check-in comes when its next round opens.`;
  return {
    text,
    blocks: [section(`:white_check_mark: ${text}`), context(readersSentence(readers)), leaveButton(team)],
  };
}

/** The join DM after Not my team. */
export function optedOutMessage(team: string, addedBy: string): Message {
  const text = `You are not on *${escapeText(team)}* and get no check-ins from it. ${mention(addedBy)} has been told.`;
  return { text, blocks: [section(text)] };
}

/** To the person who added someone who pressed Not my team. */
export function declinedMessage(team: string, userId: string): Message {
  const text =
    `${mention(userId)} pressed Not my team for *${escapeText(team)}*, so they are not on it and get no ` +
    'check-ins from it.';
  return { text, blocks: [section(text)] };
}

/** The welcome (or joined) DM after Leave this team. */
export function leftMessage(team: string): Message {
  const text =
    `You left *${escapeText(team)}*: no more check-ins from it. Answers you gave stay anonymous, as ` +
    'nothing ever linked them to you.';
  return { text, blocks: [section(text)] };
}

/** Why a consent button changed nothing. */
export type ConsentRefusal =
  | { kind: 'unreadable' }
  | { kind: 'failed' }
  | { kind: 'no_team' }
  | { kind: 'not_asked'; team: string }
  | { kind: 'already_member'; team: string }
  | { kind: 'not_member'; team: string };

/** The answer, to the person alone, when a consent button changed nothing. */
export function consentRefusalMessage(r: ConsentRefusal): Message {
  switch (r.kind) {
    case 'unreadable':
      return reply('This button could not be read, so nothing changed.');
    case 'failed':
      return reply('Something went wrong and nothing changed. Please press the button again.');
    case 'no_team':
      return reply('That team no longer exists, so nothing changed.');
    case 'not_asked':
      return reply(
        `You have no open request to join *${escapeText(r.team)}* (it may have been withdrawn), so nothing changed.`,
      );
    case 'already_member':
      return reply(`You are already on *${escapeText(r.team)}*, so nothing changed.`);
    case 'not_member':
      return reply(`You are not on *${escapeText(r.team)}*, so there was nothing to leave.`);
  }
}
