import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionPayload, slashCommandBody } from '../../tools/signing.ts';
import { APP_TOKEN, eventCallback, type SocketTestApp, startSocketTestApp } from '../support/socketApp.ts';

// The real app in Socket Mode (Bolt's SocketModeReceiver behind our guard) against a local Socket Mode
// server and the fake Web API: the check-in loop, reconnects, and hostile envelopes. One app for the
// file, the tests in order, as a workspace would drive it.

const MEMBERS = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const steady = { energy: 4, boundaries: 3, ownership: 5, recognition: 2 };

let app: SocketTestApp;
let roundId: number;

beforeAll(async () => {
  // An admin adds the members, so they are members at once (no Join round trip over the socket).
  app = await startSocketTestApp({ ADMIN_USER_IDS: 'UADMIN' });
});
afterAll(async () => {
  await app?.close();
});

/** Answers stored in the round's slots (sealed below the threshold: counted, not read). */
const responsesStored = (): number =>
  (
    app.runtime.services.db
      .prepare('SELECT count(*) AS n FROM answer_slots WHERE round_id = ? AND used = 1')
      .get(roundId) as {
      n: number;
    }
  ).n;

describe('Socket Mode start', () => {
  it('checks the bot token, then opens the connection at SLACK_API_URL with the app token', () => {
    const methods = app.fake.calls.map((c) => c.method);
    expect(methods[0]).toBe('auth.test');
    expect(app.fake.calls[0]?.token).toBe('xoxb-test');
    const opens = app.fake.callsTo('apps.connections.open');
    // One from the start-up check of the token, one from the client that connected.
    expect(opens).toHaveLength(2);
    for (const call of opens) {
      expect(call.token).toBe(APP_TOKEN);
      expect(call.failed).toBeUndefined();
    }
    expect(app.socket.connections).toBe(1);
    expect(app.socket.connected).toBe(true);
    expect(app.logs.find((l) => l.startsWith('info'))).toMatch(/Teamhealth Test.*@teamhealth/);
  });
});

describe('the check-in loop over Socket Mode', () => {
  it('acknowledges a command and replies at its response_url', async () => {
    const { ack, reply } = await app.command('UMGR', 'team create alpha');
    expect(ack.payload ?? {}).toEqual({});
    expect(reply).toContain('Created *alpha*');
    const mark = app.fake.calls.length;
    await app.command('UADMIN', `team add alpha ${MEMBERS.map((u) => `<@${u}>`).join(' ')}`);
    // Their welcome DMs (who reads the results) are the consent tests' business: count check-ins only.
    await app.drain();
    app.fake.calls.splice(mark);
    const started = await app.command('UMGR', 'checkin alpha');
    expect(started.reply).toContain('6 check-ins on the way');
    await app.drain();
    const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug('alpha')?.id ?? -1);
    if (!round) throw new Error('no round opened');
    roundId = round.id;
    for (const u of MEMBERS) expect(app.fake.dmsTo(u)).toHaveLength(1);
  });

  it('opens the check-in modal with views.open when the DM button is clicked', async () => {
    const view = await app.openCheckin('U01', roundId);
    const inputs = (view.blocks as Array<{ type: string; block_id: string }>).filter(
      (b) => b.type === 'input',
    );
    expect(inputs.map((b) => b.block_id)).toEqual([
      'energy',
      'boundaries',
      'ownership',
      'recognition',
      'note',
    ]);
  });

  it('acknowledges an accepted submission with no errors, once it is stored', async () => {
    const ack = await app.submit('U01', roundId, steady, 'fine week');
    expect(ack.payload ?? {}).toEqual({});
    // The ack comes after the commit: the answer is already there.
    expect(responsesStored()).toBe(1);
    expect(app.runtime.services.rounds.counts(roundId)).toEqual({ invited: 6, answered: 1 });
  });

  it('refuses a second submission in the ack with response_action "errors", storing nothing', async () => {
    const ack = await app.submit('U01', roundId, { ...steady, energy: 1 });
    expect(ack.payload?.response_action).toBe('errors');
    const errors = ack.payload?.errors as Record<string, string>;
    expect(Object.values(errors).join(' ')).toMatch(/already/i);
    expect(responsesStored()).toBe(1);
  });

  it('refuses a note over 500 characters in the ack, storing nothing', async () => {
    const ack = await app.submit('U02', roundId, steady, 'x'.repeat(501));
    expect(ack.payload?.response_action).toBe('errors');
    expect(Object.keys(ack.payload?.errors as object)).toContain('note');
    expect(responsesStored()).toBe(1);
  });

  it('publishes the App Home tab on app_home_opened', async () => {
    const view = await app.openHome('UMGR');
    expect(view.type).toBe('home');
    expect(JSON.stringify(view.blocks)).toContain('alpha');
  });
});

describe('Socket Mode connection trouble', () => {
  it('reconnects after a disconnect message, through a new apps.connections.open, and goes on working', async () => {
    const opens = app.fake.callsTo('apps.connections.open').length;
    app.socket.disconnect('refresh_requested');
    await app.socket.waitForConnections(2);
    expect(app.fake.callsTo('apps.connections.open')).toHaveLength(opens + 1);
    const { reply } = await app.command('UMGR', 'team list');
    expect(reply).toContain('alpha');
    const ack = await app.submit('U02', roundId, steady);
    expect(ack.payload ?? {}).toEqual({});
    expect(responsesStored()).toBe(2);
  });

  it('reconnects after the socket drops, and an event sent meanwhile still arrives', async () => {
    app.socket.drop();
    // Sent while the app has no connection: Slack holds an event until the app is back.
    const published = app.fake.callsTo('views.publish').filter((c) => c.body.user_id === 'U03').length;
    const event = app.socket.send(
      'events_api',
      eventCallback({ type: 'app_home_opened', user: 'U03', channel: 'DU03', tab: 'home', event_ts: '2.0' }),
    );
    await app.socket.waitForConnections(3);
    await event;
    await app.fake.waitFor(
      (cs) => cs.filter((c) => c.method === 'views.publish' && c.body.user_id === 'U03').length > published,
    );
    const ack = await app.submit('U03', roundId, steady);
    expect(ack.payload ?? {}).toEqual({});
    expect(responsesStored()).toBe(3);
    // Slack's client reports the broken socket (an error, as it should); nothing else went wrong.
    const errors = app.logs.filter((l) => l.startsWith('error'));
    expect(errors.filter((l) => !/bolt: WebSocket error/.test(l))).toEqual([]);
    expect(app.logs).toContain('info socket mode: the connection closed; reconnecting');
    expect(app.logs).toContain('info socket mode: reconnected');
  });
});

describe('hostile envelopes', () => {
  const SECRET_NOTE = 'a note nobody may log';
  const command = Object.fromEntries(
    new URLSearchParams(
      slashCommandBody({ text: 'help', userId: 'U01', responseUrl: 'http://127.0.0.1:9/x' }),
    ),
  );
  const cases: Array<[string, Record<string, unknown>]> = [
    ['an event with payload null', { type: 'events_api', payload: null }],
    ['a command with payload null', { type: 'slash_commands', payload: null }],
    ['an interaction with payload null', { type: 'interactive', payload: null }],
    ['a payload that is a string', { type: 'interactive', payload: SECRET_NOTE }],
    ['a payload that is an array', { type: 'events_api', payload: [SECRET_NOTE] }],
    [
      'an event whose event is null',
      { type: 'events_api', payload: { type: 'event_callback', event: null } },
    ],
    [
      'an event whose user is a number',
      { type: 'events_api', payload: eventCallback({ type: 'app_home_opened', user: 5, tab: 'home' }) },
    ],
    [
      'block actions whose actions are not objects',
      {
        type: 'interactive',
        payload: {
          ...blockActionPayload({ userId: 'U01', actionId: 'checkin_open' }),
          actions: [SECRET_NOTE],
        },
      },
    ],
    [
      'a view submission without a view',
      { type: 'interactive', payload: { type: 'view_submission', user: { id: 'U01' }, view: null } },
    ],
    ['a command in an events_api envelope', { type: 'events_api', payload: command }],
    ['an unknown envelope type', { type: 'mystery', payload: command }],
    ['no type at all', { payload: command }],
    ['a retry count that is text', { type: 'slash_commands', payload: command, retry_attempt: 'two' }],
  ];

  it.each(cases)('acknowledges and drops %s, with a log line and no crash', async (_what, envelope) => {
    const warnings = app.logs.filter((l) => l.startsWith('warn')).length;
    const id = `hostile-${Math.random().toString(36).slice(2)}`;
    const ack = await app.socket.sendEnvelope({ envelope_id: id, ...envelope });
    expect(ack).toEqual({ envelope_id: id, payload: {} });
    const added = app.logs.filter((l) => l.startsWith('warn')).slice(warnings);
    expect(added.some((l) => l.includes('socket mode: dropped'))).toBe(true);
  });

  it('lives through messages that are not envelopes at all, and still answers', async () => {
    const errors = app.logs.filter((l) => l.startsWith('error')).length;
    for (const text of ['null', '[]', '"text"', '5', 'not json {', JSON.stringify({ envelope_id: 5 })]) {
      app.socket.sendRaw(text);
    }
    const { reply } = await app.command('U01', 'privacy');
    expect(reply.length).toBeGreaterThan(0);
    expect(app.socket.connections).toBe(3);
    expect(app.logs.filter((l) => l.startsWith('error'))).toHaveLength(errors);
    expect(app.logs.some((l) => l.includes(SECRET_NOTE))).toBe(false);
  });
});
