// Hostile input, shrugged off: several hundred correctly signed but malformed or forged requests,
// generated from a fixed seed (fast-check), against the real app over HTTP. Afterwards: no 5xx ever,
// the app still answers, the database holds exactly what the few valid requests legitimately did,
// nothing user-typed reaches Slack as a live mention, and every reply a person sees is a sentence.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckinToken } from '../../src/domain/ids.ts';
import { readOpenSlot, unsealAnswer } from '../../src/store/sealing.ts';
import type { RecordedCall } from '../../tools/fakeSlack.ts';
import {
  blockActionPayload,
  interactionBody,
  newTriggerId,
  postSigned,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';
import {
  type AnswerValues,
  checkinTokenIn,
  checkinValues,
  SECRET,
  startTestApp,
  type TestApp,
} from '../support/harness.ts';
import { type DbSnapshot, rowKey, rowsOf, snapshotDb } from '../support/snapshot.ts';

const SEED = 0x7ea3_4ea1;
const GENERATED = 560;
const DIMENSIONS = ['energy', 'boundaries', 'ownership', 'recognition'] as const;
const CHECKIN_BLOCKS = new Set<string>([...DIMENSIONS, 'note']);
const SETUP_BLOCKS = new Set(['existing', 'team', 'members', 'lead', 'weekday', 'time', 'timezone']);
const ALPHA = ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'];
const steady: AnswerValues = { energy: 4, boundaries: 3, ownership: 5, recognition: 2 };

/** User text that must never reach Slack as live markup. */
const SQL = "'; DROP TABLE responses; --";
const MARKUP = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!channel|channel>',
  '<!here|here>',
  '<@UPWNED>',
  '<@UPWNED|boss>',
  '<!subteam^SPWNED|@all>',
  '<https://evil.example|click here>',
];
const LIVE_MARKUP = /<!(?:channel|here|everyone)\b|<@UPWNED|<!subteam\^SPWNED|<https?:\/\/evil/;
const HOSTILE = [
  SQL,
  "alpha' OR '1'='1",
  '1; DELETE FROM invites',
  'alpha"; UPDATE teams SET manager_id="UFUZZ',
  ...MARKUP,
  '@here',
  '@channel',
  '*bold* _it_ ~s~ `code`',
  '```',
  '&amp; &lt; &gt;',
  '\u202eevil',
  '\u0000',
  '\u200b',
  '🙂👍🏽',
  'İstanbul ß',
  '../../etc/passwd',
  '%00%27',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, on purpose
  '${process.exit(1)}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'toString',
  '-1',
  '0',
  '6',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '9'.repeat(30),
  '0x10',
  'x'.repeat(41),
  'A'.repeat(5000),
];
const NOT_A_SLUG = HOSTILE.filter((h) => !/^[a-z0-9-]{1,40}$/.test(h));
const BIG = 'Z'.repeat(150 * 1024);

/** One test per kind of request Slack sends; each sends its own requests, in the order generated. */
const GROUPS = [
  'slash commands',
  'block actions',
  'view submissions',
  'events',
  'other interactions',
  'raw bodies',
] as const;
type Group = (typeof GROUPS)[number];

interface Req {
  /** The test that sends it. */
  group: Group;
  label: string;
  body: string;
  contentType?: string;
  /** What a person would see, and so what to check in the answer. */
  kind: 'command' | 'checkin' | 'setup' | 'action' | 'raw';
  /** The response_url id of a slash command, to find its reply. */
  replyId?: string;
  /** The command has no listener (another command name): no reply is expected. */
  noReply?: true;
  /** Allowed HTTP statuses; by default any 2xx or 4xx other than 401. */
  statuses?: number[];
  /** A valid request: it may (and must) be accepted. */
  legit?: true;
  /** Mangled so that Bolt routes it to no modal listener (or to another one): an empty 200 is fine. */
  unrouted?: true;
  /** What the person must be told (modal error, notice modal or reply). */
  says?: RegExp;
  /** A button click's trigger id, to find the modal it opened. */
  triggerId?: string;
}

interface Ctx {
  alpha: number;
  beta: number;
  gamma: number;
  /** Alpha's team id, which the consent buttons carry. */
  alphaTeam: number;
  seq: () => number;
}

// ------------------------------------------------------------------------------------------------
// Generators: each yields a function that builds the request once the world (round ids) exists.

type Build = (ctx: Ctx) => Omit<Req, 'group'>;

const hostile = fc.constantFrom(...HOSTILE);
const randomText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
);
const token = fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: randomText });
/** Team names a fuzzing caller may not manage (or that do not exist). */
const teamArg = fc.oneof(fc.constantFrom('alpha', 'beta', 'gamma', 'ALPHA', 'alpha-'), hostile);
/** Callers who manage nothing: a stranger, a member of alpha, a member of beta. */
const caller = fc.constantFrom('UFUZZ', 'U06', 'U11');

const commandText = fc.oneof(
  randomText,
  fc
    .tuple(fc.constantFrom('team', 'TEAM', 'Team'), fc.constantFrom('create'), fc.constantFrom(...NOT_A_SLUG))
    .map((p) => p.join(' ')),
  fc
    .tuple(
      fc.constantFrom('add', 'remove', 'lead', 'schedule', 'archive', 'list', 'rename', ''),
      teamArg,
      fc.array(token, { maxLength: 4 }),
    )
    .map(([sub, team, rest]) => ['team', sub, team, ...rest].join(' ')),
  fc
    .tuple(
      fc.constantFrom('checkin', 'close', 'report', 'digest', 'privacy', 'help', 'status', 'away', 'setup'),
      teamArg,
      fc.array(token, { maxLength: 3 }),
    )
    .map(([verb, team, rest]) => {
      // `setup` alone opens a modal and `away` alone would mark the caller away: always add junk.
      if (verb === 'setup' || verb === 'away') return [verb, 'x!', team, ...rest].join(' ');
      return [verb, team, ...rest].join(' ');
    }),
  fc.array(token, { minLength: 1, maxLength: 6 }).map((t) => t.join(' ')),
  fc
    .tuple(fc.constantFrom('\t', '\n', '  ', '\u00a0'), fc.constantFrom('help', 'team\nlist'))
    .map(([ws, t]) => `${ws}${t}${ws}`),
);

const slashCommand: fc.Arbitrary<Build> = fc
  .record({ user: caller, text: commandText })
  .map(({ user, text }) => (ctx) => {
    const replyId = `fz${ctx.seq()}`;
    return {
      label: `command ${user}: ${JSON.stringify(text.slice(0, 80))}`,
      kind: 'command',
      replyId,
      body: slashCommandBody({ text, userId: user, responseUrl: `${FAKE_ORIGIN()}/respond/${replyId}` }),
    };
  });

/** Slash command bodies with wrong or missing fields. */
const malformedCommand: fc.Arbitrary<Build> = fc
  .record({
    userId: fc.option(
      fc.oneof(fc.constantFrom('', 'u01', 'B01', 'U', 'U01 ', 'U01<!channel>', 'U'.repeat(3000)), hostile),
      { nil: undefined },
    ),
    command: fc.constantFrom('/teamhealth', '/teamhealth', '/TeamHealth', '/other', '', 'teamhealth'),
    text: fc.oneof(commandText, fc.constant(BIG), fc.constant(undefined)),
    extra: fc.dictionary(
      fc.constantFrom('user_id', 'text', 'payload', 'type', 'event', 'name', 'actions'),
      token,
      {
        maxKeys: 2,
      },
    ),
  })
  .map(({ userId, command, text, extra }) => (ctx) => {
    const replyId = `fz${ctx.seq()}`;
    const params = new URLSearchParams(
      slashCommandBody({
        text: text ?? '',
        userId: userId ?? 'UFUZZ',
        command,
        responseUrl: `${FAKE_ORIGIN()}/respond/${replyId}`,
      }),
    );
    if (userId === undefined) params.delete('user_id');
    if (text === undefined) params.delete('text');
    for (const [k, v] of Object.entries(extra)) params.append(k, v);
    return {
      label: `malformed command user=${JSON.stringify(userId?.slice(0, 30))} cmd=${command} extra=${Object.keys(extra)}`,
      kind: 'command',
      replyId,
      ...(command === '/teamhealth' ? {} : { noReply: true as const }),
      body: params.toString(),
    };
  });

const forgedRound = (ctx: Ctx) =>
  fc.oneof(
    fc.constantFrom(
      '-1',
      '0',
      '6',
      '1.5',
      '1e3',
      ' 1',
      '1 ',
      '+1',
      '0x1',
      '٣',
      '',
      'abc',
      '99999999999',
      '9999999999999',
      '9'.repeat(400),
      String(ctx.beta),
      String(ctx.gamma),
      `${ctx.alpha}.0`,
      `0${ctx.alpha}`,
    ),
    hostile,
  );

/** A button in a DM, with forged values, unknown ids, or a mangled shape. */
const blockAction = (ctx: Ctx): fc.Arbitrary<Build> =>
  fc
    .record({
      user: fc.constantFrom('U01', 'U02', 'UFUZZ', 'U11', 'U21'),
      actionId: fc.oneof(
        fc.constantFrom(
          'checkin_open',
          'checkin_open',
          'checkin_away',
          'checkin_away',
          'consent_join',
          'consent_decline',
          'consent_leave',
          'playbook_open',
          'CHECKIN_OPEN',
          'checkin_open ',
          'pick_team',
          'unknown',
          '',
        ),
        randomText,
      ),
      value: fc.oneof(
        forgedRound(ctx),
        fc.constant(String(ctx.alpha)),
        fc.constant(String(ctx.alphaTeam)),
        fc.constant(BIG),
      ),
      mangle: fc.constantFrom(
        'none',
        'none',
        'none',
        'actions-empty',
        'actions-null',
        'actions-string',
        'actions-nested',
        'value-number',
        'value-object',
        'user-id-number',
        'user-id-markup',
        'no-trigger',
        'trigger-number',
        'channel-null',
        'channel-string',
        'team-null',
        'team-string',
        'enterprise-number',
        'extra-event',
        'extra-command',
        'extra-name',
        'response-urls-null',
        'view-junk',
      ),
    })
    .map(({ user: picked, actionId, value, mangle }) => (ctx) => {
      // "Away this week" from someone with an open invite, or "Leave this team" from a member, would be
      // a valid click: use a stranger.
      const user =
        (actionId === 'checkin_away' && (picked === 'U02' || picked === 'U11')) ||
        actionId === 'consent_leave'
          ? 'UFUZZ'
          : picked;
      const replyId = `fz${ctx.seq()}`;
      const p = blockActionPayload({
        userId: user,
        actionId,
        value,
        responseUrl: `${FAKE_ORIGIN()}/respond/${replyId}`,
      });
      const action = (p.actions as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
      switch (mangle) {
        case 'actions-empty':
          p.actions = [];
          break;
        case 'actions-null':
          p.actions = null;
          break;
        case 'actions-string':
          p.actions = 'checkin_open';
          break;
        case 'actions-nested':
          p.actions = [[action], { actions: [action] }];
          break;
        case 'value-number':
          action.value = -1;
          break;
        case 'value-object':
          action.value = { id: ctx.alpha };
          break;
        case 'user-id-number':
          p.user = { id: 1 };
          break;
        case 'user-id-markup':
          p.user = { id: '<!channel>' };
          break;
        case 'no-trigger':
          delete p.trigger_id;
          break;
        case 'trigger-number':
          p.trigger_id = 42;
          break;
        case 'channel-null':
          p.channel = null;
          break;
        case 'channel-string':
          p.channel = 'DU01';
          break;
        case 'team-null':
          p.team = null;
          break;
        case 'team-string':
          p.team = 'T1';
          break;
        case 'enterprise-number':
          p.enterprise = 7;
          break;
        case 'extra-event':
          p.event = 5;
          break;
        case 'extra-command':
          p.command = '/teamhealth';
          break;
        case 'extra-name':
          p.name = 'x';
          break;
        case 'response-urls-null':
          p.response_urls = [null];
          break;
        case 'view-junk':
          p.view = 'V1';
          break;
      }
      return {
        label: `action ${user} ${JSON.stringify(String(actionId).slice(0, 30))}=${JSON.stringify(String(value).slice(0, 30))} ${mangle}`,
        kind: 'action',
        replyId,
        body: interactionBody(p),
      };
    });

const radio = (value: unknown) => ({ answer: { type: 'radio_buttons', selected_option: { value } } });
const badScore = fc.oneof(
  fc.constantFrom('0', '6', '-1', '1.5', ' 1', '1 ', '01', '1e0', 'one', '', '٣', '１', SQL, '<!here>'),
  fc.constantFrom<unknown>(1, 3.5, null, true, [], {}, ['1'], { value: '1' }),
);
const anyNote = fc.oneof(
  hostile,
  fc.constant('n'.repeat(501)),
  fc.constant(BIG),
  fc.constantFrom<unknown>(42, null, [], { text: 'x' }, ['a']),
  randomText,
);

/** State values of a check-in modal, wrong in one or more ways (or right, for a caller who may not submit). */
const checkinState = fc.oneof(
  // right shape, wrong values
  fc
    .record({
      dim: fc.constantFrom(...DIMENSIONS),
      bad: badScore,
      note: fc.option(anyNote, { nil: undefined }),
    })
    .map(({ dim, bad, note }) => ({
      ...checkinValues(steady, typeof note === 'string' ? note : undefined),
      [dim]: radio(bad),
      ...(note !== undefined && typeof note !== 'string' ? { note: { note: { value: note } } } : {}),
    })),
  // missing blocks, or blocks of the wrong type
  fc.constantFrom<Record<string, unknown>>(
    {},
    { energy: radio('3') },
    { energy: 3, boundaries: '3', ownership: null, recognition: [] },
    {
      energy: { answer: null },
      boundaries: { answer: 'x' },
      ownership: {},
      recognition: { a: { b: { c: 1 } } },
    },
    { energy: { answer: { selected_option: null } } },
    { energy: { answer: { selected_options: [{ value: '3' }] } } },
  ),
  // a note that is too long or not text, answers fine
  anyNote.map((note) => ({
    ...checkinValues(steady),
    note: { note: { type: 'plain_text_input', value: note } },
  })),
);

/** A check-in submission no one may make: not invited, already answered, closed, forged, or mangled. */
const checkinSubmission = (ctx: Ctx): fc.Arbitrary<Build> =>
  fc
    .record({
      // U01 answered alpha already and is on no other round; the others are not invited to alpha
      // (U21's round is closed, U11's is beta's).
      user: fc.constantFrom('U01', 'UFUZZ', 'U11', 'U21', 'UMGR'),
      round: fc.oneof(
        fc.constantFrom(String(ctx.alpha), String(ctx.alpha), String(ctx.beta), String(ctx.gamma)),
        forgedRound(ctx),
        fc.constant(BIG),
      ),
      values: fc.oneof(
        fc.constant(checkinValues(steady, SQL)),
        fc.constant(checkinValues(steady)),
        checkinState,
      ),
      mangle: fc.constantFrom(
        'none',
        'none',
        'none',
        'no-view',
        'view-string',
        'no-state',
        'values-array',
        'values-null',
        'values-string',
        'metadata-number',
        'metadata-null',
        'no-user',
        'user-string',
        'user-id-number',
        'callback-number',
        'extra-actions',
        'extra-event',
        'response-urls-junk',
      ),
    })
    .map(({ user, round: picked, values, mangle }) => () => {
      // U11 is invited to beta: for them, beta's round would be a valid submission, so use alpha's.
      const round = user === 'U11' && picked === String(ctx.beta) ? String(ctx.alpha) : picked;
      const p = viewSubmissionPayload({
        userId: user,
        callbackId: 'checkin',
        privateMetadata: round,
        values: values as Record<string, Record<string, object>>,
      });
      const view = p.view as Record<string, unknown>;
      switch (mangle) {
        case 'no-view':
          delete p.view;
          break;
        case 'view-string':
          p.view = 'checkin';
          break;
        case 'no-state':
          delete view.state;
          break;
        case 'values-array':
          view.state = { values: [values] };
          break;
        case 'values-null':
          view.state = { values: null };
          break;
        case 'values-string':
          view.state = { values: JSON.stringify(values) };
          break;
        case 'metadata-number':
          view.private_metadata = ctx.alpha;
          break;
        case 'metadata-null':
          view.private_metadata = null;
          break;
        case 'no-user':
          delete p.user;
          break;
        case 'user-string':
          p.user = user;
          break;
        case 'user-id-number':
          p.user = { id: 1 };
          break;
        case 'callback-number':
          view.callback_id = 7;
          break;
        case 'extra-actions':
          p.actions = [{ action_id: 'checkin_open', value: String(ctx.alpha) }];
          break;
        case 'extra-event':
          p.event = { type: 'app_home_opened', user: user };
          break;
        case 'response-urls-junk':
          p.response_urls = [{ response_url: 'javascript:alert(1)' }];
          break;
      }
      const unrouted = ['no-view', 'view-string', 'callback-number', 'extra-actions', 'extra-event'].includes(
        mangle,
      );
      return {
        label: `checkin ${user} round=${JSON.stringify(round.slice(0, 20))} ${mangle} values=${JSON.stringify(values).slice(0, 100)}`,
        kind: 'checkin',
        body: interactionBody(p),
        ...(unrouted ? { unrouted: true as const } : {}),
      };
    });

/** Submissions of other (unknown, mistyped) modals. */
const otherSubmission: fc.Arbitrary<Build> = fc
  .record({
    callbackId: fc.oneof(fc.constantFrom('CHECKIN', 'checkin ', 'unknown', '', 'team_setup_'), randomText),
    user: caller,
    metadata: fc.oneof(hostile, randomText),
  })
  .map(({ callbackId, user, metadata }) => () => ({
    label: `submission ${JSON.stringify(callbackId.slice(0, 30))} by ${user}`,
    kind: 'raw',
    body: interactionBody(
      viewSubmissionPayload({
        userId: user,
        callbackId,
        privateMetadata: metadata,
        values: checkinValues(steady),
      }),
    ),
  }));

/** Forged team-setup modal submissions: editing a team the caller does not run, or nonsense fields. */
const setupSubmission: fc.Arbitrary<Build> = fc
  .record({
    user: caller,
    metadata: fc.constantFrom(
      '{"team":"alpha"}',
      '{"team":null}',
      '{"team":"beta"}',
      '{"team":"gamma"}',
      '{"team":"<!channel>"}',
      '{"team":1}',
      '{}',
      '[]',
      'null',
      '',
      SQL,
    ),
    team: fc.oneof(fc.constantFrom('alpha', 'beta', 'gamma'), fc.constantFrom(...NOT_A_SLUG)),
    members: fc.oneof(
      fc.constant(['UPWNED']),
      fc.constant(['UFUZZ', 'U06']),
      fc.constant(['<!channel>']),
      fc.constant([]),
      fc.constant('U01'),
      fc.constant(null),
    ),
    lead: fc.constantFrom<unknown>('UFUZZ', '<@UPWNED>', null, 5, undefined),
    weekday: fc.constantFrom<unknown>('mon', 'funday', SQL, 3, null),
    time: fc.constantFrom<unknown>('10:00', '25:00', '9:7', '10:00:00', SQL, 10, null),
    zone: fc.constantFrom<unknown>('UTC', 'Europe/Berlin', 'Mars/Olympus', SQL, '<!here>', '', 5, null),
    mangle: fc.constantFrom(
      'none',
      'none',
      'none',
      'values-array',
      'no-state',
      'user-string',
      'metadata-big',
    ),
  })
  .map((r) => () => {
    const values: Record<string, Record<string, unknown>> = {
      team: { name: { type: 'plain_text_input', value: r.team } },
      members: { users: { type: 'multi_users_select', selected_users: r.members } },
      lead: { user: { type: 'users_select', selected_user: r.lead } },
      weekday: { day: { type: 'static_select', selected_option: { value: r.weekday } } },
      time: { hhmm: { type: 'timepicker', selected_time: r.time } },
      timezone: { zone: { type: 'plain_text_input', value: r.zone } },
    };
    const p = viewSubmissionPayload({
      userId: r.user,
      callbackId: 'team_setup',
      privateMetadata: r.metadata,
      values: values as Record<string, Record<string, object>>,
    });
    const view = p.view as Record<string, unknown>;
    if (r.mangle === 'values-array') view.state = { values: [values] };
    if (r.mangle === 'no-state') delete view.state;
    if (r.mangle === 'user-string') p.user = r.user;
    if (r.mangle === 'metadata-big') view.private_metadata = `{"team":"${BIG}"}`;
    return {
      label: `setup by ${r.user} meta=${r.metadata} team=${JSON.stringify(r.team.slice(0, 30))} ${r.mangle}`,
      kind: 'setup',
      body: interactionBody(p),
    };
  });

let eventSeq = 0;
/** Each with its own event id: a repeated id is (rightly) skipped as one of Slack's retries. */
const eventBody = (event: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `EvFuzz${++eventSeq}`,
    event_time: 1_700_000_000,
    event,
    ...extra,
  });

/** Events API bodies: unknown types, odd fields, url_verification and ssl_check. */
const events: fc.Arbitrary<Build> = fc
  .oneof(
    fc
      .record({
        user: fc.constantFrom<unknown>('U01', 'UFUZZ', '<!channel>', '', 5, null, { id: 'U01' }, ['U01']),
        tab: fc.constantFrom<unknown>('home', 'messages', 'HOME', 5, null, undefined),
        channel: fc.constantFrom<unknown>('DU01', undefined, null, 5, { id: 'D1' }),
      })
      .map((e) => eventBody({ type: 'app_home_opened', event_ts: '1.0', ...e })),
    fc
      .record({
        type: fc.oneof(
          fc.constantFrom('message', 'app_mention', 'member_joined_channel', 'team_join'),
          randomText,
        ),
        text: fc.oneof(hostile, randomText),
        user: fc.constantFrom<unknown>('U01', null, 5),
        channel: fc.constantFrom<unknown>('C1', null, 5, { creator: 'U1' }),
        subteam: fc.constantFrom<unknown>(undefined, null, { created_by: 'U1' }),
        item: fc.constantFrom<unknown>(undefined, null, 5, { channel: 'C1' }),
      })
      .map((e) => eventBody(e)),
    fc.constantFrom<unknown>(null, [], 'x', {}).map((event) => eventBody(event)),
    fc
      .constantFrom<unknown>(null, 5, [], 'x', [{ enterprise_id: 5 }], [null])
      .map((authorizations) =>
        eventBody({ type: 'app_home_opened', user: 'U01', tab: 'home' }, { authorizations }),
      ),
    fc
      .constantFrom<unknown>('abc', '', 5, null, { a: 1 }, '<!channel>', BIG)
      .map((challenge) => JSON.stringify({ type: 'url_verification', token: 'x', challenge })),
    fc.constantFrom('1', '0', 'yes', '').map((v) => `ssl_check=${v}&token=x`),
  )
  .map((body) => () => ({
    label: `event ${body.slice(0, 120)}`,
    kind: 'raw',
    body,
    contentType: body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
  }));

/** Other interaction types, with whatever fields. */
const otherInteractions: fc.Arbitrary<Build> = fc
  .record({
    type: fc.constantFrom(
      'view_closed',
      'shortcut',
      'message_action',
      'block_suggestion',
      'dialog_submission',
      'interactive_message',
      'workflow_step_edit',
    ),
    callback: fc.oneof(fc.constantFrom('checkin', 'team_setup'), randomText),
    extra: fc.dictionary(
      fc.constantFrom('channel', 'message', 'view', 'name', 'value', 'actions', 'team'),
      fc.jsonValue(),
      {
        maxKeys: 3,
      },
    ),
  })
  .map(({ type, callback, extra }) => () => ({
    label: `interaction ${type} ${JSON.stringify(extra).slice(0, 80)}`,
    kind: 'raw',
    body: interactionBody({
      type,
      callback_id: callback,
      user: { id: 'UFUZZ' },
      team: { id: 'T1' },
      trigger_id: '1.2.3',
      view: { callback_id: callback, private_metadata: '1', state: { values: {} } },
      ...extra,
    }),
  }));

/** Bodies of no Slack shape: JSON of any kind, forms without a payload, odd payloads and content types. */
const rawBodies: fc.Arbitrary<Build> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v), contentType: 'application/json' })),
    fc
      .dictionary(
        fc.oneof(fc.constantFrom('command', 'user_id', 'type', 'token', 'text'), randomText),
        randomText,
        {
          maxKeys: 5,
        },
      )
      .map((d) => ({ body: new URLSearchParams(d).toString() })),
    fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: `payload=${encodeURIComponent(JSON.stringify(v))}` })),
    fc
      .constantFrom(
        'payload=',
        'payload=%7B%7D',
        'payload=%5B%7B%22type%22%3A%22block_actions%22%7D%5D',
        'payload=%22%7B%5C%22type%5C%22%3A%5C%22block_actions%5C%22%7D%22',
        'payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3Anull%7D',
        'payload=%7B%22type%22%3A%22view_submission%22%2C%22user%22%3A%5B%5D%7D',
        'payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%7D%7D',
        'payload=%7B%22__proto__%22%3A%7B%22admin%22%3Atrue%7D%2C%22type%22%3A%22shortcut%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D',
        'payload={"type":"block_actions"}&payload={"type":"view_submission"}',
        'payload=%7B%22type%22%3A%22block_actions%22%7D&command=/teamhealth&user_id=U1',
        'command=/teamhealth&user_id=U1&user_id=U2&text=help&text=report',
        'command[]=/teamhealth&user_id[]=U1',
        '%%%%',
        '&&&===',
        '\u0000\u0001\u0002',
        '{"command":"/teamhealth","user_id":"UFUZZ","text":"help"}',
      )
      .map((body) => ({ body })),
    fc.record({
      body: fc.constantFrom(
        '{"command":"/teamhealth","user_id":"UFUZZ","text":"team list"}',
        'command=%2Fteamhealth&user_id=UFUZZ&text=help',
        '<xml/>',
        '',
      ),
      contentType: fc.constantFrom(
        'text/plain',
        'application/json; charset=utf-8',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded; charset=utf-16',
        'APPLICATION/JSON',
      ),
    }),
  )
  .map(({ body, contentType }: { body: string; contentType?: string }) => () => ({
    label: `raw ${contentType ?? 'form'}: ${body.slice(0, 100)}`,
    kind: 'raw',
    body,
    ...(contentType ? { contentType } : {}),
  }));

let FAKE_ORIGIN: () => string = () => '';

// ------------------------------------------------------------------------------------------------

let app: TestApp;
let ctx: Ctx;
let before: DbSnapshot;
let callsBefore: number;

async function openRound(manager: string, slug: string, members: string[]): Promise<number> {
  await app.command(manager, `team create ${slug}`);
  await app.addMembers(manager, slug, members.map((u) => `<@${u}>`).join(' '));
  const { reply } = await app.command(manager, `checkin ${slug}`);
  expect(reply, slug).toContain('is open');
  await app.drain();
  const round = app.runtime.services.rounds.openFor(app.runtime.services.teams.bySlug(slug)?.id ?? -1);
  if (!round) throw new Error(`no round for ${slug}`);
  return round.id;
}

beforeAll(async () => {
  app = await startTestApp({ ADMIN_USER_IDS: 'UADMIN' }, { usergroups: { S0GRP: ['U01', 'U02'] } });
  FAKE_ORIGIN = () => app.fake.origin;
  const alpha = await openRound('UMGR', 'alpha', ALPHA);
  await app.command('UMGR', 'team lead alpha <@ULEAD>');
  const beta = await openRound('UMGR2', 'beta', ['U11', 'U12']);
  const gamma = await openRound('UMGR3', 'gamma', ['U21', 'U22']);
  expect((await app.command('UMGR3', 'close gamma')).reply).toContain('Closed');
  // Someone asked to join alpha who has not yet: forged presses must not touch their request.
  expect((await app.command('UMGR', 'team add alpha <@UPENDING>')).reply).toContain('Asked <@UPENDING>');
  // U01 has answered alpha: every later submission of theirs is a replay.
  expect((await app.submit('U01', alpha, steady, 'first')).json).toBeNull();
  await app.drain();
  let n = 0;
  const alphaTeam = app.runtime.services.teams.bySlug('alpha')?.id ?? -1;
  ctx = { alpha, beta, gamma, alphaTeam, seq: () => ++n };
  before = snapshotDb(app.dbPath);
  callsBefore = app.fake.calls.length;
}, 30_000);

afterAll(async () => {
  await app?.close();
});

interface Outcome {
  req: Req;
  status: number;
  text: string;
  json: unknown;
}

/** Problems with a text a person would read, or an empty list. */
function unclear(text: string): string[] {
  const problems: string[] = [];
  if (text.trim().length < 10) problems.push('too short');
  if (!/[A-Za-z]{3,}/.test(text)) problems.push('no words');
  if (text.length > 3000) problems.push(`${text.length} chars`);
  for (const bad of [
    'undefined',
    '[object Object]',
    'NaN',
    'TypeError',
    'SQLITE',
    'Error:',
    'ZodError',
    '.ts:',
  ]) {
    if (text.includes(bad)) problems.push(`contains ${bad}`);
  }
  if (LIVE_MARKUP.test(text)) problems.push('live markup');
  return problems;
}

/** The parts of an outgoing Slack call a person reads. */
const readable = (c: RecordedCall): string =>
  JSON.stringify([c.body.text, c.body.blocks, c.body.view, c.body.attachments]);

/** Where a request a person made is answered after the ack: its reply, or the notice modal it opened. */
function toldBy(o: Outcome, calls: readonly RecordedCall[]): RecordedCall[] {
  return calls.filter(
    (c) =>
      (o.req.replyId !== undefined && c.responseUrlId === o.req.replyId) ||
      (o.req.triggerId !== undefined && c.method === 'views.open' && c.body.trigger_id === o.req.triggerId),
  );
}

/** Sends the requests one after another, as Slack would deliver them, and lets what they cause happen. */
async function send(reqs: readonly Req[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const req of reqs) {
    const res = await postSigned(app.url, req.body, {
      secret: SECRET,
      ...(req.contentType ? { contentType: req.contentType } : {}),
    });
    outcomes.push({ req, status: res.status, text: res.text, json: res.json });
  }
  // Replies and notice modals come after the ack: wait for each one owed, however long this machine
  // takes. One that never comes is reported by name with the other problems.
  const owed = outcomes.filter(
    (o) =>
      o.status === 200 &&
      ((o.req.kind === 'command' && o.req.replyId && !o.req.noReply && o.text === '') ||
        (o.req.kind === 'action' && o.req.says)),
  );
  await app.fake.waitFor((cs) => owed.every((o) => toldBy(o, cs).length > 0), 20_000).catch(() => {});
  // Give a second, unwanted reply the time to show, and let any queued delivery finish.
  await new Promise((r) => setTimeout(r, 200));
  await app.drain();
  return outcomes;
}

/** What is wrong with these calls to Slack: notice modals that do not say why, and live markup. */
function slackCallProblems(calls: readonly RecordedCall[]): string[] {
  const problems: string[] = [];
  // Notice modals opened by forged buttons say why, in words.
  for (const c of calls.filter((c) => c.method === 'views.open')) {
    const view = c.body.view as { blocks?: Array<{ text?: { text?: string } }> } | undefined;
    const words = (view?.blocks ?? []).map((b) => b.text?.text ?? '').join(' ');
    if (words !== '')
      for (const p of unclear(words)) problems.push(`modal text: ${p}: ${words.slice(0, 120)}`);
  }
  // 3. Nothing user-typed reaches Slack as live markup (messages, modals, Home tab, replies).
  for (const c of calls) {
    const text = readable(c);
    const hit = LIVE_MARKUP.exec(text);
    if (hit)
      problems.push(
        `live markup ${hit[0]} in ${c.method}: ${text.slice(Math.max(0, hit.index - 60), hit.index + 60)}`,
      );
  }
  return problems;
}

/** What went wrong with these requests' answers, and with the calls to Slack made meanwhile. */
function problemsWith(outcomes: readonly Outcome[], calls: readonly RecordedCall[]): string[] {
  const problems: string[] = [];

  // 1. No 5xx, ever; and the statuses each kind of request should get.
  for (const o of outcomes) {
    if (o.status >= 500) problems.push(`${o.status} for ${o.req.label}`);
    else if (o.req.statuses && !o.req.statuses.includes(o.status)) {
      problems.push(`${o.status} (want ${o.req.statuses}) for ${o.req.label}`);
    } else if (o.status === 401 || (o.status !== 200 && o.status !== 400 && o.status !== 413)) {
      problems.push(`unexpected ${o.status} for ${o.req.label}`);
    }
  }

  // 2. What a person sees is a clear sentence: command replies and modal errors.
  const replies = app.fake.calls.filter((c) => c.method === 'response_url');
  for (const o of outcomes) {
    if (o.status !== 200) continue;
    const ack = o.json as { text?: unknown; response_action?: unknown; errors?: unknown } | undefined;
    if (o.req.kind === 'command' && o.req.replyId && !o.req.noReply) {
      const mine = replies.filter((c) => c.responseUrlId === o.req.replyId);
      const texts = [
        ...(typeof ack?.text === 'string' ? [ack.text] : []),
        ...mine.map((c) => String(c.body.text ?? '')),
      ];
      if (texts.length !== 1) problems.push(`${texts.length} replies to ${o.req.label}`);
      for (const t of texts) {
        for (const p of unclear(t)) problems.push(`reply to ${o.req.label}: ${p}: ${t.slice(0, 120)}`);
      }
    }
    if (o.req.kind === 'action' && o.req.replyId) {
      // A refused button click may say why, to the person alone; at most once.
      const mine = replies.filter((c) => c.responseUrlId === o.req.replyId);
      if (mine.length > 1) problems.push(`${mine.length} replies to ${o.req.label}`);
      if (o.req.says) {
        const told = toldBy(o, app.fake.calls).map((c) =>
          c.method === 'views.open' ? JSON.stringify(c.body.view) : String(c.body.text ?? ''),
        );
        if (told.length !== 1 || !o.req.says.test(told[0] ?? '')) {
          problems.push(`${o.req.label}: told ${JSON.stringify(told).slice(0, 200)}, want ${o.req.says}`);
        }
      }
      for (const c of mine) {
        const t = String(c.body.text ?? '');
        for (const p of unclear(t)) problems.push(`reply to ${o.req.label}: ${p}: ${t.slice(0, 120)}`);
        if (c.body.response_type === 'in_channel') problems.push(`public reply to ${o.req.label}`);
      }
    }
    if (o.req.kind === 'checkin' || o.req.kind === 'setup') {
      const blocks = o.req.kind === 'checkin' ? CHECKIN_BLOCKS : SETUP_BLOCKS;
      if (o.req.legit) {
        if (o.text !== '') problems.push(`valid ${o.req.label} refused: ${o.text}`);
        continue;
      }
      // Bolt answers 200 with no body when no modal listener matched (a mangled callback id): fine.
      if (o.text === '' && o.req.unrouted) continue;
      if (ack?.response_action !== 'errors' || typeof ack.errors !== 'object' || ack.errors === null) {
        // A forged submission must never be accepted.
        problems.push(`forged ${o.req.label} accepted: ${JSON.stringify(o.text.slice(0, 200))}`);
        continue;
      }
      if (o.req.says && !o.req.says.test(JSON.stringify(ack.errors))) {
        problems.push(`${o.req.label}: told ${JSON.stringify(ack.errors).slice(0, 160)}, want ${o.req.says}`);
      }
      for (const [block, message] of Object.entries(ack.errors as Record<string, unknown>)) {
        if (!blocks.has(block)) problems.push(`error on unknown block ${block} for ${o.req.label}`);
        for (const p of unclear(String(message))) {
          problems.push(`modal error for ${o.req.label}: ${p}: ${String(message).slice(0, 120)}`);
        }
      }
    }
  }
  problems.push(...slackCallProblems(calls));
  // HTTP answers a person reads (modal errors, command acks); a url_verification echo goes to Slack only.
  for (const o of outcomes) {
    if (o.req.kind !== 'raw' && LIVE_MARKUP.test(o.text)) {
      problems.push(`live markup in the HTTP answer to ${o.req.label}`);
    }
  }
  return problems;
}

// Valid submissions with hostile notes, interleaved with the fuzz; each replayed later (must be refused).
const LEGIT_NOTES: Record<string, string> = {
  U02: SQL,
  U03: '<!channel> <!here> <@UPWNED> <!subteam^SPWNED|@all> please read',
  U04: '<https://evil.example|click here> & *bold* `code`',
  U05: '\u202eevil 🙂 İ ß',
};

describe('hostile input, signed as Slack signs it', () => {
  let reqs: Req[];
  const outcomes: Outcome[] = [];

  beforeAll(() => {
    const tagged = (group: Group, arbitrary: fc.Arbitrary<Build>): fc.Arbitrary<(c: Ctx) => Req> =>
      arbitrary.map((build) => (c) => ({ ...build(c), group }));
    const generated = fc.sample(
      fc.oneof(
        { weight: 5, arbitrary: tagged('slash commands', slashCommand) },
        { weight: 2, arbitrary: tagged('slash commands', malformedCommand) },
        { weight: 3, arbitrary: tagged('block actions', blockAction(ctx)) },
        { weight: 5, arbitrary: tagged('view submissions', checkinSubmission(ctx)) },
        { weight: 1, arbitrary: tagged('view submissions', otherSubmission) },
        { weight: 2, arbitrary: tagged('view submissions', setupSubmission) },
        { weight: 2, arbitrary: tagged('events', events) },
        { weight: 1, arbitrary: tagged('other interactions', otherInteractions) },
        { weight: 2, arbitrary: tagged('raw bodies', rawBodies) },
      ),
      { seed: SEED, numRuns: GENERATED },
    );

    const legitBodies = Object.entries(LEGIT_NOTES).map(([user, note]) =>
      interactionBody(
        viewSubmissionPayload({
          userId: user,
          callbackId: 'checkin',
          // What the member's own DM carries: the round and its key.
          privateMetadata: checkinTokenIn(app.fake, user, ctx.alpha),
          values: checkinValues({ ...steady, energy: Number(user.slice(1)) }, note),
        }),
      ),
    );
    reqs = generated.map((build) => build(ctx));
    const insert = (at: number, r: Req) => reqs.splice(Math.min(at, reqs.length), 0, r);
    legitBodies.forEach((body, i) => {
      insert(60 + i * 90, {
        group: 'view submissions',
        label: `legit submission ${i}`,
        kind: 'checkin',
        body,
        legit: true,
      });
      insert(420 + i * 30, {
        group: 'view submissions',
        label: `replay of legit submission ${i}`,
        kind: 'checkin',
        body,
      });
    });
    // A valid team creation by a stranger (anyone may create a team).
    insert(250, {
      group: 'slash commands',
      label: 'legit team create',
      kind: 'command',
      replyId: 'fz-legit-create',
      legit: true,
      body: slashCommandBody({
        text: 'team create fz-created',
        userId: 'UFUZZ',
        responseUrl: `${app.fake.origin}/respond/fz-legit-create`,
      }),
    });
    // Hostile text from a team's own manager: rejected by the parser or refused, changing nothing.
    for (const [i, text] of [
      `team schedule alpha mon 10:00 ${SQL}`,
      'team schedule alpha mon 10:00 <!channel>',
      'team schedule alpha <!here> 10:00',
      `team add alpha ${SQL}`,
      'team add alpha @here',
      'team add alpha <!channel>',
      'team add alpha <!subteam^SPWNED|@all>',
      'team lead alpha <!channel>',
      'team lead alpha <@U1> <@U2>',
      'team remove alpha <@UPWNED>',
      `team create ${SQL}`,
      'team create <!here>',
      `team create ${'a'.repeat(41)}`,
      'checkin ALPHA',
      'close alpha now',
      `report alpha ${SQL}`,
      `report ${'<!channel>'.repeat(500)}`,
      BIG.slice(0, 3999),
    ].entries()) {
      const replyId = `fz-mgr-${i}`;
      insert(20 + i * 29, {
        group: 'slash commands',
        label: `manager: ${text.slice(0, 60)}`,
        kind: 'command',
        replyId,
        body: slashCommandBody({
          text,
          userId: 'UMGR',
          responseUrl: `${app.fake.origin}/respond/${replyId}`,
        }),
      });
    }
    // Huge bodies: over 1 MB is refused unread (413); 100 KB+ fields are refused politely.
    for (const [i, size] of [1024 * 1024 + 1, 1.5 * 1024 * 1024, 4 * 1024 * 1024].entries()) {
      insert(100 + i * 150, {
        group: 'raw bodies',
        label: `body of ${size} bytes`,
        kind: 'raw',
        body: `payload=${'x'.repeat(size)}`,
        statuses: [413],
      });
    }
    insert(330, {
      group: 'raw bodies',
      label: 'command of 1 MB + 1 as text',
      kind: 'raw',
      statuses: [413],
      body: slashCommandBody({
        text: 'y'.repeat(1024 * 1024),
        userId: 'UFUZZ',
        responseUrl: 'http://127.0.0.1:9/x',
      }),
    });
    const hugeNote = interactionBody(
      viewSubmissionPayload({
        userId: 'U06',
        callbackId: 'checkin',
        privateMetadata: checkinTokenIn(app.fake, 'U06', ctx.alpha),
        values: checkinValues(steady, BIG),
      }),
    );
    insert(340, {
      group: 'view submissions',
      label: 'valid answers with a 150 KB note',
      kind: 'checkin',
      body: hugeNote,
      says: /Keep the note to 500 characters/,
    });

    // Forged submissions that must each get their own precise refusal (not left to chance).
    const NOT_INVITED = /not one you were invited to/;
    const UNREADABLE = /could not be read/;
    const forged: Array<[string, string, unknown, RegExp]> = [
      ['U21', String(ctx.gamma), '3', /has closed/],
      ['U11', String(ctx.alpha), '3', NOT_INVITED],
      ['U02', String(ctx.beta), '3', NOT_INVITED],
      ['UMGR', String(ctx.alpha), '3', NOT_INVITED],
      ['U01', String(ctx.alpha), '3', /already answered/],
      ['U02', '99999', '3', NOT_INVITED],
      ['U02', '999999999999', '3', NOT_INVITED],
      ...['-1', '1.5', '1e3', 'abc', '', ' 1', '9999999999999', SQL].map(
        (m): [string, string, unknown, RegExp] => ['U02', m, '3', UNREADABLE],
      ),
      ...['0', '6', '-1', '1.5', '3 ', 'three', '', SQL].map((v): [string, string, unknown, RegExp] => [
        'U02',
        String(ctx.alpha),
        v,
        /Pick one of the five/,
      ]),
      ...[3, 3.0, null, true, [], {}].map((v): [string, string, unknown, RegExp] => [
        'U02',
        String(ctx.alpha),
        v,
        /Pick one of the five/,
      ]),
    ];
    forged.forEach(([user, round, energy, says], i) => {
      const values = { ...checkinValues(steady), energy: radio(energy) };
      insert(30 + i * 17, {
        group: 'view submissions',
        label: `forged check-in #${i} by ${user} for ${JSON.stringify(round)} energy=${JSON.stringify(energy)}`,
        kind: 'checkin',
        says,
        body: interactionBody(
          viewSubmissionPayload({
            userId: user,
            callbackId: 'checkin',
            privateMetadata: round,
            values: values as Record<string, Record<string, object>>,
          }),
        ),
      });
    });
    // Forged button clicks: the check-in button opens a notice saying why; "away" refuses in words.
    const clicks: Array<[string, string, string, RegExp]> = [
      ['checkin_open', 'U21', String(ctx.gamma), /has closed/],
      ['checkin_open', 'U01', String(ctx.alpha), /already answered/],
      ['checkin_open', 'U11', String(ctx.alpha), NOT_INVITED],
      ['checkin_open', 'U02', String(ctx.beta), NOT_INVITED],
      ...['-1', '0', '6', '1.5', '1e3', '99999999999', 'abc', '', SQL, '<!channel>'].map(
        (v): [string, string, string, RegExp] => ['checkin_open', 'U02', v, NOT_INVITED],
      ),
      ['checkin_away', 'U21', String(ctx.gamma), /closed/],
      ['checkin_away', 'U01', String(ctx.alpha), /already answered/],
      ['checkin_away', 'UFUZZ', String(ctx.alpha), NOT_INVITED],
      ...['-1', '0', '1.5', 'abc', SQL].map((v): [string, string, string, RegExp] => [
        'checkin_away',
        'U02',
        v,
        NOT_INVITED,
      ]),
      // Consent buttons: someone else's request, the wrong team, no such team, no team id at all.
      ['consent_join', 'U11', String(ctx.alphaTeam), /no open request to join \*alpha\*/],
      ['consent_decline', 'UFUZZ', String(ctx.alphaTeam), /no open request to join \*alpha\*/],
      ['consent_join', 'U01', String(ctx.alphaTeam), /already on \*alpha\*/],
      ['consent_decline', 'U02', String(ctx.alphaTeam), /already on \*alpha\*/],
      ['consent_leave', 'U11', String(ctx.alphaTeam), /not on \*alpha\*/],
      ['consent_leave', 'UPENDING', String(ctx.alphaTeam), /not on \*alpha\*/],
      ['consent_join', 'UPENDING', '99999', /no longer exists/],
      ...['-1', '0x1', '1.5', ' 1', 'abc', '', SQL, '<!channel>', BIG].map(
        (v): [string, string, string, RegExp] => ['consent_join', 'UPENDING', v, /could not be read/],
      ),
      // A flag's "More ideas": the playbook for what the value names, or a plain word that it is unreadable.
      ['playbook_open', 'U02', '{"d":"energy","k":["low"]}', /Energy is low/],
      ...['', 'abc', '{"d":"mood","k":["low"]}', '{"d":"energy","k":[]}', SQL, '<!channel>'].map(
        (v): [string, string, string, RegExp] => ['playbook_open', 'U02', v, /did not come through/],
      ),
    ];
    clicks.forEach(([actionId, user, value, says], i) => {
      const triggerId = newTriggerId();
      const replyId = `fz-click-${i}`;
      insert(45 + i * 19, {
        group: 'block actions',
        label: `forged click #${i} ${actionId} by ${user} value=${JSON.stringify(value)}`,
        kind: 'action',
        says,
        triggerId,
        replyId,
        body: interactionBody(
          blockActionPayload({
            userId: user,
            actionId,
            value,
            triggerId,
            responseUrl: `${app.fake.origin}/respond/${replyId}`,
          }),
        ),
      });
    });

    expect(reqs.length).toBeGreaterThanOrEqual(500);
    expect(new Set(reqs.map((r) => r.group))).toEqual(new Set(GROUPS));
  });

  it.each(GROUPS)(
    '%s: never a 5xx, and what a person sees is a clear sentence with nothing live',
    async (group) => {
      const callsAt = app.fake.calls.length;
      const sent = await send(reqs.filter((r) => r.group === group));
      outcomes.push(...sent);
      const problems = problemsWith(sent, app.fake.calls.slice(callsAt));
      expect(problems, problems.slice(0, 40).join('\n')).toEqual([]);
    },
    60_000,
  );

  it('changed only what the valid requests did, and still answers', async () => {
    // Every request was sent, by one of the tests above.
    expect(outcomes.length).toBe(reqs.length);
    expect(outcomes.length).toBeGreaterThanOrEqual(500);
    // Whatever reached Slack after its own test looked is checked too.
    expect(slackCallProblems(app.fake.calls.slice(callsBefore))).toEqual([]);

    // 4. The stored state: exactly what the valid requests did, nothing more.
    const after = snapshotDb(app.dbPath);
    expect(after.schema).toEqual(before.schema);
    // Teams: one new team, created by the stranger who asked; the others untouched.
    const teamsAfter = rowsOf(after, 'teams');
    expect(
      teamsAfter
        .filter((t) => t.slug !== 'fz-created')
        .map(rowKey)
        .sort(),
    ).toEqual(before.tables.teams?.rows);
    expect(teamsAfter.find((t) => t.slug === 'fz-created')).toMatchObject({
      manager_id: 'UFUZZ',
      archived: 0,
    });
    // Answers: the earlier one plus exactly the four valid answers, notes stored as typed. Five reached
    // alpha's threshold, so all of them are open in their slots now; the slots themselves are the same.
    const slotIds = (s: DbSnapshot) => rowsOf(s, 'answer_slots').map((r) => r.id);
    expect(slotIds(after)).toEqual(slotIds(before));
    const used = (s: DbSnapshot) =>
      rowsOf(s, 'answer_slots').filter((r) => r.used === 1 && r.round_id === ctx.alpha);
    expect(used(before)).toHaveLength(1);
    const answer = (r: Record<string, unknown>) => {
      // The snapshot writes blobs as SQL hex literals, x'…'.
      const a = readOpenSlot(Buffer.from(String(r.body).slice(2, -1), 'hex'));
      return JSON.stringify([
        r.round_id,
        a?.answers.energy,
        a?.answers.boundaries,
        a?.answers.ownership,
        a?.answers.recognition,
        a?.note,
      ]);
    };
    const expectedResponses = [
      JSON.stringify([
        ctx.alpha,
        steady.energy,
        steady.boundaries,
        steady.ownership,
        steady.recognition,
        'first',
      ]),
      ...Object.entries(LEGIT_NOTES).map(([user, note]) =>
        JSON.stringify([
          ctx.alpha,
          Number(user.slice(1)),
          steady.boundaries,
          steady.ownership,
          steady.recognition,
          note,
        ]),
      ),
    ].sort();
    expect(used(after).map(answer).sort()).toEqual(expectedResponses);
    // Other rounds' slots are untouched.
    const others = (s: DbSnapshot) => rowsOf(s, 'answer_slots').filter((r) => r.round_id !== ctx.alpha);
    expect(others(after)).toEqual(others(before));
    // Rounds: only alpha changed, and only in that its answers are open now.
    const roundsAfter = rowsOf(after, 'rounds').map((r) =>
      r.id === ctx.alpha ? { ...r, answers_open: 0 } : r,
    );
    expect(roundsAfter).toEqual(rowsOf(before, 'rounds'));
    expect(rowsOf(after, 'rounds').find((r) => r.id === ctx.alpha)?.answers_open).toBe(1);
    // Invites: only the four valid submitters are now marked answered.
    const expectedInvites = rowsOf(before, 'invites')
      .map((r) => (r.round_id === ctx.alpha && String(r.user_id) in LEGIT_NOTES ? { ...r, answered: 1 } : r))
      .map(rowKey)
      .sort();
    expect(after.tables.invites?.rows).toEqual(expectedInvites);
    // Outbox: at most the four "recorded" notices were added (and are sent by now); nothing failed.
    const keys = (s: DbSnapshot) => new Set(rowsOf(s, 'outbox').map((r) => String(r.key)));
    const newKeys = [...keys(after)].filter((k) => !keys(before).has(k));
    const allowed = new Set(Object.keys(LEGIT_NOTES).map((u) => `recorded:${ctx.alpha}:${u}`));
    expect(newKeys.filter((k) => !allowed.has(k))).toEqual([]);
    expect(rowsOf(after, 'outbox').filter((r) => r.status === 'failed')).toEqual([]);
    // Every other table is exactly as it was.
    for (const [name, table] of Object.entries(after.tables)) {
      if (['teams', 'answer_slots', 'rounds', 'invites', 'outbox'].includes(name)) continue;
      expect(table, name).toEqual(before.tables[name]);
    }
    // The valid ones each got their "recorded" notice, and one only.
    for (const user of Object.keys(LEGIT_NOTES)) {
      expect(
        app.fake.callsTo('chat.update').filter((c) => c.body.channel === `D${user}`),
        user,
      ).toHaveLength(1);
    }
    // No check-in, reminder or summary DM went to anyone because of the fuzz.
    expect(app.fake.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(reqs.filter((r) => r.legit)).toHaveLength(5);

    // 5. The app still answers.
    const help = await app.command('UFUZZ', 'help');
    expect(help.status).toBe(200);
    expect(help.reply).toContain('/teamhealth checkin <team>');
  });

  it('shows the hostile notes escaped in the summary, and pings no one', async () => {
    const callsAt = app.fake.calls.length;
    const { reply } = await app.command('UMGR', 'close alpha');
    expect(reply).toContain('Closed round 1 of *alpha*');
    await app.drain();
    const summary = app.fake.dmsTo('UMGR').at(-1);
    const text = JSON.stringify(summary?.body.blocks);
    expect(text).toContain('5 of 6');
    expect(text).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;@UPWNED&gt;');
    expect(text).toContain('&lt;https://evil.example|click here&gt; &amp;');
    expect(text).toContain("'; DROP TABLE responses; --");
    for (const c of app.fake.calls.slice(callsAt)) expect(readable(c)).not.toMatch(LIVE_MARKUP);
    const report = await app.command('UMGR', 'report alpha');
    expect(report.reply).toContain('5 of 6');
    for (const c of app.fake.calls.slice(callsAt)) expect(readable(c)).not.toMatch(LIVE_MARKUP);
  });
});

describe('simultaneous duplicates', () => {
  it('store one answer for ten copies of a submission sent at once, and open one round for ten checkins', async () => {
    const body = interactionBody(
      viewSubmissionPayload({
        userId: 'U12',
        callbackId: 'checkin',
        privateMetadata: checkinTokenIn(app.fake, 'U12', ctx.beta),
        values: checkinValues(steady, 'only once'),
      }),
    );
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => postSigned(app.url, body, { secret: SECRET })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => a.text === '')).toHaveLength(1);
    for (const a of answers.filter((x) => x.text !== '')) expect(a.text).toContain('already answered');
    expect(app.runtime.services.rounds.counts(ctx.beta).answered).toBe(1);
    // One answer stored, sealed (beta is below its threshold): the member's key opens exactly it.
    const key = parseCheckinToken(checkinTokenIn(app.fake, 'U12', ctx.beta))?.key as Buffer;
    const sealed = app.runtime.services.db
      .prepare('SELECT body FROM answer_slots WHERE round_id = ? AND used = 1')
      .pluck()
      .all(ctx.beta) as Buffer[];
    expect(sealed.map((b) => unsealAnswer(b, key)?.note)).toEqual(['only once']);

    const replies = await Promise.all(
      Array.from({ length: 10 }, () => app.command('UMGR3', 'checkin gamma')),
    );
    expect(replies.filter((r) => r.reply.includes('is open'))).toHaveLength(1);
    expect(replies.filter((r) => r.reply.includes('already has a check-in open'))).toHaveLength(9);
    await app.drain();
    // U21 and U22 each got the first round's DM and exactly one more.
    expect(app.fake.dmsTo('U21')).toHaveLength(2);
    expect(app.fake.dmsTo('U22')).toHaveLength(2);
  });
});
