// A note answered without unmasking its author: the manager's Reply reaches the author, the author answers
// back, the thread goes on — and nothing the app keeps says who wrote the note.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walOf } from '../support/dbFiles.ts';
import { buttonsIn, dmMessagesTo, messageText, startTestApp, type TestApp } from '../support/harness.ts';

const MEMBERS = ['U1', 'U2', 'U3', 'U4', 'U5'];
const PAGER = 'on call again, the pager went off every night';
const OTHER = 'the release went fine <!channel>';
const ANSWER = { energy: 3, boundaries: 2, ownership: 4, recognition: 3 };

const reply = (value: string) => ({ reply: { text: { type: 'plain_text_input', value } } });

type View = Record<string, unknown> & { blocks: Array<Record<string, unknown>> };

let app: TestApp;
let roundId: number;
/** U1's token, as the button on their own DM carries it. */
let token: string;

const modalText = (view: Record<string, unknown>): string => messageText({ blocks: view.blocks });

/** The Reply buttons of the manager's summary, each with the note its section shows. */
function replyButtons(): Array<{ value: string; text: string }> {
  const summary = app.fake
    .dmsTo('UMGR')
    .filter((c) => JSON.stringify(c.body.blocks).includes('Notes (anonymous'));
  return summary.flatMap((c) =>
    (c.body.blocks as Array<{ text?: { text: string }; accessory?: { action_id: string; value: string } }>)
      .filter((b) => b.accessory?.action_id === 'note_reply')
      .map((b) => ({ value: b.accessory?.value ?? '', text: b.text?.text ?? '' })),
  );
}

const pagerRef = (): string => replyButtons().find((b) => b.text.includes('pager'))?.value ?? '';

/** What someone holding the database files could read: the file and its WAL, as bytes. */
const files = (): Buffer => Buffer.concat([readFileSync(app.dbPath), walOf(app.dbPath)]);

beforeAll(async () => {
  app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' });
  await app.command('UMGR', 'team create core');
  await app.addMembers('UMGR', 'core', MEMBERS.map((u) => `<@${u}>`).join(' '));
  await app.command('UMGR', 'checkin core');
  await app.drain();
  roundId =
    app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug('core')?.id ?? -1)?.id ?? -1;
  expect((await app.submit('U1', roundId, ANSWER, PAGER)).json).toBeNull();
  expect((await app.submit('U2', roundId, ANSWER, OTHER)).json).toBeNull();
  for (const u of ['U3', 'U4']) expect((await app.submit(u, roundId, ANSWER)).json).toBeNull();
  await app.drain();
}, 60_000);
afterAll(async () => {
  await app.close();
});

describe('before the round closes', () => {
  it("puts a button on the author's own recorded DM, and on no one else's", () => {
    const buttons = (u: string) => dmMessagesTo(app.fake, u).flatMap((c) => buttonsIn(c.body, 'note_thread'));
    expect(buttons('U1')).toHaveLength(1);
    expect(buttons('U2')).toHaveLength(1);
    expect(buttons('U3')).toEqual([]);
    token = buttons('U1')[0]?.value ?? '';
    expect(token).toMatch(new RegExp(`^${roundId}\\.[A-Za-z0-9_-]{22}$`));
    expect(buttons('U2')[0]?.value).not.toBe(token);
  });

  it('keeps the token in Slack only: not in the database files, the outbox or the logs', () => {
    const secret = Buffer.from(token.split('.')[1] ?? '', 'base64url');
    expect(files().includes(secret)).toBe(false);
    expect(files().includes(token.split('.')[1] ?? '')).toBe(false);
    expect(app.logs.join('\n')).not.toContain(token.split('.')[1]);
    // Sent: nothing is held in memory for it any more either.
    expect(app.runtime.services.replySecrets.get(roundId, 'U1')).toBeUndefined();
  });

  it('tells the author the note reaches the manager at the close', async () => {
    const view = await app.openModal('U1', 'note_thread');
    expect(modalText(view)).toContain('reaches your manager when the round closes');
  });
});

describe('after the close', () => {
  beforeAll(async () => {
    expect((await app.submit('U5', roundId, ANSWER)).json).toBeNull();
    await app.command('UMGR', 'close core');
    await app.drain();
  });

  it('gives each note in the summary a Reply button that opens a modal with one text input', async () => {
    expect(replyButtons().map((b) => b.text.includes('pager') || b.text.includes('release'))).toEqual([
      true,
      true,
    ]);
    const view = (await app.openModal('UMGR', 'note_reply', pagerRef())) as View;
    expect(view.callback_id).toBe('note_reply');
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.element).toMatchObject({ type: 'plain_text_input', max_length: 500 });
    expect(modalText(view)).toContain(PAGER);
  });

  it('stores the reply and tells everyone who answered, with the same words, within a minute', async () => {
    const view = await app.openModal('UMGR', 'note_reply', pagerRef());
    const before = app.fake.calls.length;
    const res = await app.submitModal(
      'UMGR',
      view,
      reply('Sorry. We add a second person to the rota <!here>'),
    );
    expect(res.status).toBe(200);
    const updated = (res.json as { response_action: string; view: View }).view;
    expect((res.json as { response_action: string }).response_action).toBe('update');
    expect(modalText(updated)).toContain('We add a second person to the rota &lt;!here&gt;');
    await app.drain();
    const notices = app.fake.calls
      .slice(before)
      .filter((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('were answered'));
    const to = notices.map((c) => String(c.body.channel)).sort();
    // Each answerer once, under their own check-in DM; the same message for author and others alike.
    expect(to).toEqual(MEMBERS.map((u) => `D${u}`));
    expect(new Set(notices.map((c) => JSON.stringify(c.body.blocks))).size).toBe(1);
    expect(notices.every((c) => typeof c.body.thread_ts === 'string')).toBe(true);
  });

  it("lets the author read the reply from their own DM's button and answer back without a name", async () => {
    const view = await app.openModal('U1', 'note_thread', token);
    expect(view.callback_id).toBe('note_answer');
    expect(modalText(view)).toContain(PAGER);
    expect(modalText(view)).toContain('<@UMGR>');
    expect(modalText(view)).toContain('second person to the rota');
    const before = app.fake.calls.length;
    const res = await app.submitModal('U1', view, reply('Thanks. Nights are the hard part.'));
    expect((res.json as { response_action: string }).response_action).toBe('update');
    await app.drain();
    const told = app.fake.calls
      .slice(before)
      .filter(
        (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('answered in its thread'),
      );
    expect(told.map((c) => c.body.channel)).toEqual(['UMGR']);
    expect(JSON.stringify(told[0]?.body)).not.toContain('U1');
  });

  it('lets the thread go on: the manager reads the answer as from "the note\'s author" and replies again', async () => {
    const view = await app.openModal('UMGR', 'note_reply');
    expect(modalText(view)).toContain("*The note's author:* Thanks. Nights are the hard part.");
    const before = app.fake.calls.length;
    await app.submitModal('UMGR', view, reply('Then nights first.'));
    await app.drain();
    const notices = app.fake.calls.slice(before).filter((c) => String(c.body.text).includes('were answered'));
    expect(notices).toHaveLength(MEMBERS.length);
    const again = await app.openModal('U1', 'note_thread', token);
    expect(modalText(again).indexOf('Nights are the hard part')).toBeLessThan(
      modalText(again).indexOf('Then nights first'),
    );
    // The report counts the thread's messages under its note.
    const { reply: report } = await app.command('UMGR', 'report core');
    expect(report).toContain(`${PAGER}\n_3 messages in its thread_`);
  });

  it('keeps nothing that links the note or its thread to its author', () => {
    const copy = new Database(app.dbPath, { readonly: true });
    const replies = copy.prepare('SELECT by_user, text FROM note_replies ORDER BY seq').all();
    const columns = (t: string) =>
      (copy.pragma(`table_info(${t})`) as Array<{ name: string }>).map((c) => c.name);
    expect(columns('notes')).toEqual(['round_id', 'id', 'note', 'reply_check']);
    expect(columns('note_replies')).toEqual(['round_id', 'note_id', 'seq', 'by_user', 'text']);
    const outbox = copy.prepare('SELECT key, payload FROM outbox').all();
    copy.close();
    expect(replies).toEqual([
      { by_user: 'UMGR', text: 'Sorry. We add a second person to the rota <!here>' },
      { by_user: null, text: 'Thanks. Nights are the hard part.' },
      { by_user: 'UMGR', text: 'Then nights first.' },
    ]);
    expect(outbox).toEqual([]);
    const logs = app.logs.join('\n');
    expect(logs).not.toContain('Nights are the hard part');
    for (const u of MEMBERS) expect(logs).not.toContain(u);
  });

  it('refuses anyone who may not read the team’s notes, and changes nothing', async () => {
    const ref = pagerRef();
    const view = await app.openModal('UMGR', 'note_reply', ref);
    // An outsider who got hold of the button's value sees a refusal, and their submission is refused too.
    const res = await app.submitModal('U3', view, reply('I am not the manager'));
    expect(JSON.stringify(res.json)).toContain('Only the manager of core, its lead or an admin can read');
    const copy = new Database(app.dbPath, { readonly: true });
    const n = copy.prepare('SELECT count(*) FROM note_replies').pluck().get();
    copy.close();
    expect(n).toBe(3);
  });

  it('asks for something to send, and keeps replies to 500 characters', async () => {
    const view = await app.openModal('UMGR', 'note_reply', pagerRef());
    expect(JSON.stringify((await app.submitModal('UMGR', view, reply('   '))).json)).toContain(
      'Write something',
    );
    expect(JSON.stringify((await app.submitModal('UMGR', view, reply('x'.repeat(501)))).json)).toContain(
      'Keep it to 500 characters',
    );
  });

  it('holds a thread of up to 40 messages, then says so instead of offering an input', async () => {
    const s = app.runtime.services;
    const [, noteId] = pagerRef().split('.');
    const open = await app.openModal('UMGR', 'note_reply', pagerRef());
    while (s.notes.thread(roundId, noteId ?? '').length < 40)
      s.notes.addReply(roundId, noteId ?? '', 'UMGR', 'more');
    expect(JSON.stringify((await app.submitModal('UMGR', open, reply('one more'))).json)).toContain(
      'already has 40 messages',
    );
    const full = (await app.openModal('UMGR', 'note_reply', pagerRef())) as View;
    expect(full.blocks.filter((b) => b.type === 'input')).toEqual([]);
    expect(full.submit).toBeUndefined();
    expect(modalText(full)).toContain('reached 40 messages');
    expect(s.notes.thread(roundId, noteId ?? '')).toHaveLength(40);
  });

  it('answers a forged or unknown token with a notice, never a thread', async () => {
    const forged = `${roundId}.${Buffer.alloc(16, 7).toString('base64url')}`;
    const view = await app.submitModal(
      'U3',
      { callback_id: 'note_answer', private_metadata: forged },
      reply('hi'),
    );
    expect(JSON.stringify(view.json)).toContain('notes were not kept');
  });
});

describe('a round too few answered', () => {
  it("keeps no notes, and the author's button says so", async () => {
    const people = ['U6', 'U7', 'U8', 'U9', 'U10'];
    await app.command('UMGR', 'team create small');
    await app.addMembers('UMGR', 'small', people.map((u) => `<@${u}>`).join(' '));
    await app.command('UMGR', 'checkin small');
    await app.drain();
    const s = app.runtime.services;
    const id = s.rounds.openFor(s.teams.bySlug('small')?.id ?? -1)?.id ?? -1;
    expect((await app.submit('U6', id, ANSWER, 'only two of us answered')).json).toBeNull();
    expect((await app.submit('U7', id, ANSWER)).json).toBeNull();
    await app.command('UMGR', 'close small');
    await app.drain();
    const view = await app.openModal('U6', 'note_thread');
    expect(modalText(view)).toContain('too few answers to be shown, so its notes were not kept');
    expect(s.notes.forRound(id)).toEqual([]);
  });
});
