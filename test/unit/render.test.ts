import { describe, expect, it } from 'vitest';
import { DIMENSIONS, QUESTIONS } from '../../src/domain/dimensions.ts';
import { sparkline, type Trend } from '../../src/domain/trend.ts';
import { checkinModal, inviteMessage } from '../../src/messages/checkin.ts';
import { trendBlocks } from '../../src/messages/insights.ts';
import { context, divider, header, section } from '../../src/messages/text.ts';
import {
  renderBlocks,
  renderMessage,
  renderModal,
  renderMrkdwn,
  stripAnsi,
  visibleWidth,
} from '../../tools/render.ts';

const READERS = { managerId: 'UMGR', leadId: 'ULEAD', threshold: 5 };
const plain = (text: string, width = 80) => renderMrkdwn(text, { width }).join('\n');

describe('mrkdwn to terminal text', () => {
  it('drops the markers of bold, italic, strike and code in plain text', () => {
    expect(plain('*bold* and _italic_ and ~gone~ and `code`')).toBe('bold and italic and gone and code');
  });

  it('styles them with ANSI codes when colour is on, and only then', () => {
    const coloured = renderMrkdwn('*bold* _it_ `x`', { color: true }).join('\n');
    expect(coloured).toContain('\x1b[1mbold\x1b[0m');
    expect(coloured).toContain('\x1b[3mit\x1b[0m');
    expect(coloured).toContain('\x1b[36mx\x1b[0m');
    expect(stripAnsi(coloured)).toBe('bold it x');
    expect(plain('*bold*')).not.toContain('\x1b');
  });

  it('leaves markers that do not open a span alone', () => {
    expect(plain('2 * 3 * 4 and snake_case_name and a*b*c')).toBe('2 * 3 * 4 and snake_case_name and a*b*c');
  });

  it('names mentioned people, groups and dates, and shows links with their target', () => {
    const names = { U1: 'Dana' };
    const text = renderMrkdwn(
      '<@U1> <@U2|bob> <@U3> <!subteam^S1|@devs> <!here> <!date^1700000000^{date}|Tue, 14 Nov> <https://x.test|docs>',
      { names },
    ).join('\n');
    expect(text).toBe('@Dana @bob @U3 @devs @here Tue, 14 Nov docs (https://x.test)');
  });

  it('unescapes what the app escaped, so a typed <!channel> reads as typed and pings nobody', () => {
    expect(plain('a &lt;!channel&gt; &amp; b')).toBe('a <!channel> & b');
  });

  it('shows the emoji the app uses and keeps unknown ones as written', () => {
    expect(
      plain(':white_check_mark: :red_circle: :large_orange_circle: :large_green_circle: :no_such:'),
    ).toBe('✅ 🔴 🟠 🟢 :no_such:');
  });

  it('wraps to the width, hanging bullets and keeping indentation and quotes', () => {
    const lines = renderMrkdwn(
      `• ${'word '.repeat(30).trim()}\n  indented ${'more '.repeat(20).trim()}\n> quoted ${'note '.repeat(20).trim()}`,
      { width: 40 },
    );
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(40);
    expect(lines[0]?.startsWith('• word')).toBe(true);
    expect(lines[1]?.startsWith('  word')).toBe(true);
    expect(lines.filter((l) => l.startsWith('  indented') || l.startsWith('  more')).length).toBeGreaterThan(
      1,
    );
    expect(lines.filter((l) => l.startsWith('▎ ')).length).toBeGreaterThan(1);
  });

  it('keeps the spacing of code blocks, which the trend lines up in', () => {
    const lines = renderMrkdwn('*Trend*\n```Energy      ▁▂▃  2.0\nBoundaries  ▃▂▁  1.5```', { width: 60 });
    expect(lines).toEqual(['Trend', '  Energy      ▁▂▃  2.0', '  Boundaries  ▃▂▁  1.5']);
  });

  it('cuts a word longer than the line rather than overflowing', () => {
    const lines = renderMrkdwn('x'.repeat(25), { width: 10 });
    expect(lines).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('counts emoji as two columns and ANSI codes as none', () => {
    expect(visibleWidth('✅ ok')).toBe(5);
    expect(visibleWidth('\x1b[1mok\x1b[0m')).toBe(2);
  });
});

describe('Block Kit to terminal text', () => {
  it('renders headers, sections with fields and accessories, context, dividers and buttons', () => {
    const lines = renderBlocks(
      [
        header('Digest'),
        section('*Org* line'),
        context('small print'),
        divider(),
        {
          type: 'section',
          text: { type: 'plain_text', text: 'Plain *not bold*' },
          fields: [{ type: 'mrkdwn', text: '*Field*' }],
          accessory: { type: 'button', text: { type: 'plain_text', text: 'Open' }, action_id: 'a' },
        },
        {
          type: 'actions',
          elements: [
            { type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Go' } },
            { type: 'button', style: 'danger', text: { type: 'plain_text', text: 'Stop' } },
            { type: 'static_select', placeholder: { type: 'plain_text', text: 'Pick' } },
          ],
        },
        { type: 'video' },
      ],
      { width: 30 },
    );
    expect(lines).toEqual([
      'Digest',
      '══════',
      '',
      'Org line',
      'small print',
      '',
      '─'.repeat(30),
      '',
      'Plain *not bold*',
      'Field',
      '[ Open ]',
      '[ Go ]  [ Stop ]  [ Pick ▾ ]',
      '',
      '[video block]',
    ]);
  });

  it('renders a modal’s inputs: labels, radio options, an optional text box, and its buttons', () => {
    const text = renderModal(checkinModal('payments', '7', READERS), { width: 80 });
    const lines = text.split('\n');
    expect(lines[0]).toContain('Weekly check-in');
    for (const d of DIMENSIONS) {
      expect(text).toContain(QUESTIONS[d].prompt);
      for (const option of QUESTIONS[d].options) expect(text).toContain(`○ ${option}`);
    }
    expect(text).toMatch(/Anything else\?.*\(optional\)/);
    expect(text).toContain('up to 500 characters');
    expect(lines.at(-2)).toMatch(/\[ Cancel \] {2}\[ Send anonymously \]$/);
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(80);
  });

  it('marks a radio option chosen in advance', () => {
    const lines = renderBlocks([
      {
        type: 'input',
        label: { type: 'plain_text', text: 'Q' },
        element: {
          type: 'radio_buttons',
          options: [
            { text: { type: 'plain_text', text: 'A' }, value: '1' },
            { text: { type: 'plain_text', text: 'B' }, value: '2' },
          ],
          initial_option: { text: { type: 'plain_text', text: 'B' }, value: '2' },
        },
      },
    ]);
    expect(lines).toEqual(['Q', '  ○ A', '  ◉ B']);
  });

  it('frames a message under a title line, within the width', () => {
    const text = renderMessage(
      inviteMessage('payments', 3, new Date('2026-03-05T10:00:00Z'), READERS),
      'to Dana',
      {
        width: 60,
      },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('┌─ to Dana');
    expect(lines.at(-1)).toBe('└─');
    expect(text).toContain('│ Weekly check-in for payments');
    expect(text).toContain('│ [ Start the check-in ]  [ Away this week ]');
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(60);
  });

  it('falls back to a message’s text when it has no blocks', () => {
    expect(renderMessage({ text: 'just *text*' }, 't')).toBe('┌─ t\n│ just text\n└─');
  });

  it('renders the real trend block with its sparklines aligned', () => {
    const trend: Trend = {
      rounds: [1, 2, 3].map((n) => ({ number: n, shown: true, responded: 6, invited: 6 })),
      dimensions: Object.fromEntries(
        DIMENSIONS.map((d) => [d, { means: [4, 3, 2], sparkline: sparkline([4, 3, 2]) }]),
      ) as Trend['dimensions'],
    };
    const lines = renderBlocks(trendBlocks(trend), { width: 60 });
    const energy = lines.find((l) => l.includes('Energy')) ?? '';
    const recognition = lines.find((l) => l.includes('Recognition')) ?? '';
    expect(energy.indexOf('▆')).toBe(recognition.indexOf('▆'));
  });
});
