// Every note reaches the manager, however many there are, and is shown as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = Array.from({ length: 60 }, (_, i) => `U${String(i + 1).padStart(3, '0')}`);
// Long notes (500 characters), each told apart by its number, one with a bare URL and a #channel.
const NOTES = MEMBERS.map((_, i) =>
  `note ${String(i).padStart(2, '0')} ${i === 7 ? 'see https://evil.example and #general ' : ''}`.padEnd(
    500,
    'x',
  ),
);

let app: TestApp;
beforeAll(async () => {
  // An admin's additions take effect at once: sixty people need no Join round trip here.
  app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' });
  await app.command('UADMIN', 'team create many <@UMGR>');
  await app.command('UADMIN', `team add many ${MEMBERS.map((u) => `<@${u}>`).join(' ')}`);
  await app.command('UMGR', 'checkin many');
  await app.drain();
  const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug('many')?.id ?? -1);
  for (const [i, u] of MEMBERS.entries()) {
    const answer = { energy: (i % 5) + 1, boundaries: 3, ownership: 4, recognition: 3 };
    expect((await app.submit(u, round?.id ?? -1, answer, NOTES[i])).json).toBeNull();
  }
  await app.command('UMGR', 'close many');
  await app.drain();
}, 60_000);
afterAll(async () => {
  await app.close();
});

type Section = { type: string; text?: { type: string; text: string; verbatim?: boolean } };
/** Notes come in no particular order, so a part is told by any note in it, not by the first ones. */
const NOTE_IN = /note \d{2} /;
const summaryParts = () =>
  app.fake.dmsTo('UMGR').filter((c) => NOTE_IN.test(JSON.stringify(c.body.blocks ?? [])));

describe('a summary with many long notes', () => {
  it('comes in parts of at most 50 blocks, and every note is in it exactly once', () => {
    const parts = summaryParts();
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) expect((p.body.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    expect(String(parts[0]?.body.text)).toContain('60 of 60');
    const text = parts.map((p) => JSON.stringify(p.body.blocks)).join('\n');
    for (const note of NOTES) {
      const first = text.indexOf(note);
      expect(first, note.slice(0, 8)).toBeGreaterThan(-1);
      expect(text.indexOf(note, first + 1), note.slice(0, 8)).toBe(-1);
    }
  });

  it('shows notes verbatim, so Slack links nothing in them', () => {
    const noteSections = summaryParts()
      .flatMap((p) => p.body.blocks as Section[])
      .filter((b) => b.type === 'section' && b.text?.text.includes('note '));
    expect(noteSections.length).toBeGreaterThan(1);
    for (const b of noteSections) expect(b.text?.verbatim).toBe(true);
  });

  it('answers /teamhealth report in the same parts, all notes included', async () => {
    const before = app.fake.calls.length;
    const replied = () =>
      app.fake.calls
        .slice(before)
        .filter((c) => c.method === 'response_url')
        .map((r) => JSON.stringify(r.body.blocks))
        .join('\n');
    await app.command('UMGR', 'report many');
    // The parts are sent one after another: wait for the last note to arrive, or time out failing.
    await app.fake.waitFor(() => NOTES.every((note) => replied().includes(note)));
    const text = replied();
    for (const note of NOTES) expect(text).toContain(note);
  });
});
