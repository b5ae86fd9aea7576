import { describe, expect, it } from 'vitest';
import { ACTION_FOCUSES, ACTION_TEXT_MAX, type Action, MAX_OPEN_ACTIONS } from '../../src/domain/actions.ts';
import type { Effect } from '../../src/domain/effect.ts';
import { digestActionLines, reportActionBlocks } from '../../src/messages/actions.ts';
import { inviteMessage, reminderMessage } from '../../src/messages/checkin.ts';
import { assertWithinSlackLimits } from '../support/blockLimits.ts';

// The worst a team can send us: every open action at the longest text, all of it characters that
// escaping makes five times longer, with a would-be ping in it.
const text = `<!channel>${'&'.repeat(ACTION_TEXT_MAX - 10)}`;
const effects: Effect[] = ['too early', 'likely worse', 'no clear change', 'likely better', 'too early'];
const actions: Array<Action & { effect: Effect }> = Array.from({ length: MAX_OPEN_ACTIONS }, (_, i) => ({
  number: i + 1,
  focus: ACTION_FOCUSES[i % ACTION_FOCUSES.length] ?? 'team',
  text,
  round: 12,
  status: 'open',
  effect: effects[i] ?? 'too early',
}));
const readers = { managerId: 'UMGR', leadId: 'ULEAD', threshold: 5 };

describe('actions in messages, at their longest', () => {
  it('fit Slack’s limits in the invite, the reminder, the report and the digest, and never ping', () => {
    const invite = inviteMessage('core', 7, new Date(0), readers, actions);
    const reminder = reminderMessage('core', 7, readers, actions);
    const report = reportActionBlocks(actions);
    // In the digest the actions are lines of the team's one block.
    const lines = digestActionLines('UMGR', { actions, unattended: true });
    const digest = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
    for (const blocks of [invite.blocks, reminder.blocks, report, digest]) {
      assertWithinSlackLimits(blocks, 'message');
      const json = JSON.stringify(blocks);
      expect(json).not.toContain('<!channel>');
      expect(json).toContain('&lt;!channel&gt;');
    }
    expect(JSON.stringify(invite.blocks).match(/&lt;!channel&gt;/g)).toHaveLength(MAX_OPEN_ACTIONS);
    expect(lines.join('\n').length).toBeLessThan(3000);
    expect(JSON.stringify(digest).length).toBeLessThan(2600);
  });

  it('asks the lead about the action whose numbers look worst', () => {
    const digest = JSON.stringify(digestActionLines('UMGR', { actions, unattended: false }));
    expect(digest).toContain('Ask <@UMGR>: Since “');
    expect(digest).toContain('reads worse');
    expect(digest).not.toContain('no action recorded');
  });
});
