import { describe, expect, it } from 'vitest';
import { homeView } from '../../src/messages/home.ts';
import { overviewMessage, roundOpenedMessage, scheduleSetMessage } from '../../src/messages/replies.ts';
import { localDate } from '../../src/messages/text.ts';

// Every date and time a person reads is in their own zone: Slack's <!date^…> token, with the team's
// zone as the plain fallback where Slack cannot format it.
const CLOSES = new Date('2027-02-25T09:01:00Z');
const BERLIN = 'Europe/Berlin';
const token = `<!date^${CLOSES.getTime() / 1000}^{date_short_pretty} at {time}|`;

describe('dates people read', () => {
  it('are Slack date tokens whose fallback is the team zone’s wall time', () => {
    expect(localDate(CLOSES, BERLIN)).toMatch(
      /^<!date\^1803546060\^\{date_short_pretty\} at \{time\}\|.*10:01.*Europe\/Berlin.*>$/,
    );
    expect(localDate(CLOSES)).toContain('GMT');
  });

  it('are used in command replies and the Home tab, never a raw UTC string', () => {
    const texts = [
      roundOpenedMessage({ slug: 'a', number: 1, invited: 3, skipped: 0, closesAt: CLOSES, timezone: BERLIN })
        .text,
      scheduleSetMessage('a', { weekday: 'thu', time: '10:01', timezone: BERLIN }, CLOSES).text,
      overviewMessage([
        {
          slug: 'a',
          timezone: BERLIN,
          roles: ['member'],
          open: { closesAt: CLOSES, live: null },
          next: CLOSES,
        },
      ]).text,
      JSON.stringify(
        homeView({
          teams: [{ slug: 'a', timezone: BERLIN, open: null, next: CLOSES, health: null }],
          digest: null,
          minResponses: 5,
        }).blocks,
      ),
    ];
    for (const t of texts) {
      expect(t).toContain(token);
      expect(t).not.toContain(CLOSES.toUTCString());
    }
  });
});
