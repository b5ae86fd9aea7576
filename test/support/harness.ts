import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, parseConfig } from '../../src/config.ts';
import type { Logger } from '../../src/log.ts';
import { createServices, type Runtime, type RuntimeOptions } from '../../src/services.ts';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from '../../tools/fakeSlack.ts';
import {
  blockActionPayload,
  interactionBody,
  postSigned,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';

export const SECRET = 'test-signing-secret';

export type AnswerValues = { energy: number; boundaries: number; ownership: number; recognition: number };

export interface TestApp {
  fake: FakeSlack;
  runtime: Runtime;
  url: string;
  dir: string;
  dbPath: string;
  logs: string[];
  /** Sends `/teamhealth <text>` as the user; resolves to the HTTP status and the ephemeral reply text. */
  command(userId: string, text: string): Promise<{ status: number; reply: string }>;
  /** Clicks the check-in button in the user's DM; resolves to the modal Slack was asked to open. */
  openCheckin(userId: string, roundId: number): Promise<Record<string, unknown>>;
  submit(
    userId: string,
    roundId: number,
    answers: AnswerValues,
    note?: string,
  ): Promise<{ status: number; json: unknown }>;
  /**
   * The user presses a button of the latest DM the app sent them that has one with this action id (and
   * value, when given), as Slack sends the press; resolves to the ephemeral answer, if one came.
   */
  press(userId: string, actionId: string, value?: string): Promise<{ status: number; reply: string | null }>;
  /**
   * The user presses a button that opens a modal, in any message the app sent or updated in their DM
   * (the latest that has one with this action id and, when given, value); resolves to the modal.
   */
  openModal(userId: string, actionId: string, value?: string): Promise<Record<string, unknown>>;
  /** Submits a modal as the user, with the view's own callback id and metadata; resolves to Slack's answer. */
  submitModal(
    userId: string,
    view: Record<string, unknown>,
    values: Record<string, Record<string, object>>,
  ): Promise<{ status: number; json: unknown }>;
  /** The person presses Join in the DM asking them to join the team; resolves once they are a member. */
  join(userId: string, slug: string): Promise<void>;
  /**
   * `/teamhealth team add <slug> <people>` by `caller`, then everyone it asked presses Join: a team
   * whose people have joined. The Slack calls of that exchange (tested in consent.test.ts) are then
   * forgotten, so a test counts the DMs its team gets from here. Resolves to the command's reply.
   */
  addMembers(caller: string, slug: string, people: string): Promise<string>;
  /** Waits until the outbox is empty (everything due has been sent or failed). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

type ButtonElement = { action_id?: string; value?: string };

/** The buttons in a message's blocks with this action id (in actions blocks and as section accessories). */
export function buttonsIn(
  body: Record<string, unknown>,
  actionId: string,
): Array<{ value: string; blockId: string }> {
  const found: Array<{ value: string; blockId: string }> = [];
  for (const block of (body.blocks ?? []) as Array<{
    block_id?: string;
    elements?: ButtonElement[];
    accessory?: ButtonElement;
  }>) {
    for (const el of [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])]) {
      if (el.action_id === actionId)
        found.push({ value: String(el.value ?? ''), blockId: block.block_id ?? '' });
    }
  }
  return found;
}

const buttonIn = (body: Record<string, unknown>, actionId: string) => buttonsIn(body, actionId)[0];

/** Every message the app posted to the user's DM or updated there, in order. */
export const dmMessagesTo = (fake: FakeSlack, userId: string) =>
  fake.calls.filter(
    (c) =>
      (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
      !c.failed &&
      [userId, `D${userId}`].includes(String(c.body.channel)),
  );

/** What a person reads in a message: its fallback text and every text in its blocks. */
export function messageText(body: Record<string, unknown>): string {
  const texts: string[] = [String(body.text ?? '')];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') texts.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(body.blocks);
  return texts.join('\n');
}

/**
 * What the person's own check-in DM for the round carries in its start button (the round and its key),
 * as a member's click or submission brings it back; the bare round id when they got no such DM.
 */
export function checkinTokenIn(fake: FakeSlack, userId: string, roundId: number): string {
  const values: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.action_id === 'checkin_open' && typeof o.value === 'string') values.push(o.value);
      Object.values(o).forEach(walk);
    }
  };
  for (const call of fake.dmsTo(userId)) walk(call.body.blocks);
  return values.filter((v) => v.split('.')[0] === String(roundId)).at(-1) ?? String(roundId);
}

const radio = (v: number) => ({ answer: { type: 'radio_buttons', selected_option: { value: String(v) } } });

export const checkinValues = (a: AnswerValues, note?: string) => ({
  energy: radio(a.energy),
  boundaries: radio(a.boundaries),
  ownership: radio(a.ownership),
  recognition: radio(a.recognition),
  note: { note: { type: 'plain_text_input', value: note ?? null } },
});

/** The app's configuration for a test against `fake`, with `env` on top (a mode, other settings). */
export function testConfig(fake: FakeSlack, dbPath: string, env: Record<string, string>): Config {
  return parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    DATABASE_PATH: dbPath,
    SLACK_API_URL: fake.url,
    MIN_RESPONSES: '5',
    // The fake answers at once and limits nothing unless asked: no pacing (test/unit/outbox-pacing covers it).
    SLACK_POSTMESSAGE_PER_MINUTE: '0',
    SLACK_UPDATE_PER_MINUTE: '0',
    ...env,
  });
}

/** A logger that keeps its lines (`level message`) for assertions. */
export function captureLog(): { log: Logger; logs: string[] } {
  const logs: string[] = [];
  const at = (level: string) => (m: string) => {
    logs.push(`${level} ${m}`);
  };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, logs };
}

/** Waits until the outbox is empty (everything due has been sent or failed). */
export async function drainOutbox(runtime: Runtime): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = runtime.services.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox not drained: ${JSON.stringify(c)}`);
    runtime.worker.kick();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Boots the real app (Bolt over HTTP on an ephemeral port) against a fresh fake Slack and database. */
export async function startTestApp(
  env: Record<string, string> = {},
  fakeOptions: FakeSlackOptions = {},
  runtimeOptions: RuntimeOptions = {},
): Promise<TestApp> {
  const fake = await startFakeSlack(fakeOptions);
  const dir = mkdtempSync(join(tmpdir(), 'teamhealth-test-'));
  const dbPath = join(dir, 'teamhealth.db');
  const config = testConfig(fake, dbPath, { SLACK_SIGNING_SECRET: SECRET, PORT: '0', ...env });
  const { log, logs } = captureLog();
  const runtime = await createServices(config, log, runtimeOptions);
  const port = await runtime.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  let responses = 0;
  let presses = 0;

  // A member answers from the check-in DM they received: wait for it to be delivered first.
  const dmArrived = async (userId: string, roundId: number) => {
    if (runtime.services.rounds.invite(roundId, userId)) await drainOutbox(runtime);
  };

  const app: TestApp = {
    fake,
    runtime,
    url,
    dir,
    dbPath,
    logs,
    async command(userId, text) {
      const id = `r${++responses}`;
      const res = await postSigned(
        url,
        slashCommandBody({ text, userId, responseUrl: fake.responseUrl(id) }),
        {
          secret: SECRET,
        },
      );
      if (res.status !== 200) return { status: res.status, reply: res.text };
      const calls = await fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id));
      const reply = calls.find((c) => c.responseUrlId === id);
      return { status: res.status, reply: messageText(reply?.body ?? {}) };
    },
    async openCheckin(userId, roundId) {
      await dmArrived(userId, roundId);
      const before = fake.callsTo('views.open').length;
      const res = await postSigned(
        url,
        interactionBody(
          blockActionPayload({
            userId,
            actionId: 'checkin_open',
            value: checkinTokenIn(fake, userId, roundId),
          }),
        ),
        { secret: SECRET },
      );
      if (res.status !== 200) throw new Error(`button click answered ${res.status}`);
      const calls = await fake.waitFor((cs) => cs.filter((c) => c.method === 'views.open').length > before);
      return calls.filter((c) => c.method === 'views.open').at(-1)?.body.view as Record<string, unknown>;
    },
    async submit(userId, roundId, answers, note) {
      await dmArrived(userId, roundId);
      const payload = viewSubmissionPayload({
        userId,
        callbackId: 'checkin',
        privateMetadata: checkinTokenIn(fake, userId, roundId),
        values: checkinValues(answers, note),
      });
      const res = await postSigned(url, interactionBody(payload), { secret: SECRET });
      return { status: res.status, json: res.text === '' ? null : JSON.parse(res.text) };
    },
    drain: () => drainOutbox(runtime),
    async press(userId, actionId, value) {
      await app.drain();
      const dm = fake
        .dmsTo(userId)
        .reverse()
        .map((c) => buttonIn(c.body, actionId))
        .find((b) => b !== undefined && (value === undefined || b.value === value));
      if (!dm) throw new Error(`no DM to ${userId} has a ${actionId} button`);
      const id = `press${++presses}`;
      const payload = blockActionPayload({
        userId,
        actionId,
        value: dm.value,
        blockId: dm.blockId,
        messageTs: `1700000000.${String(presses).padStart(6, '0')}`,
        responseUrl: fake.responseUrl(id),
      });
      const mark = fake.calls.length;
      const res = await postSigned(url, interactionBody(payload), { secret: SECRET });
      if (res.status !== 200) return { status: res.status, reply: null };
      // A press that changed something updates its DM (through the outbox); a refusal is answered alone.
      await fake.waitFor((cs) =>
        cs.slice(mark).some((c) => c.responseUrlId === id || c.method === 'chat.update'),
      );
      await app.drain();
      const reply = fake.calls.find((c) => c.responseUrlId === id);
      return { status: res.status, reply: reply ? messageText(reply.body) : null };
    },
    async openModal(userId, actionId, value) {
      await app.drain();
      const button = dmMessagesTo(fake, userId)
        .reverse()
        .flatMap((c) => buttonsIn(c.body, actionId))
        .find((b) => value === undefined || b.value === value);
      if (!button) throw new Error(`no message to ${userId} has a ${actionId} button`);
      const before = fake.callsTo('views.open').length;
      const payload = blockActionPayload({ userId, actionId, value: button.value, blockId: button.blockId });
      const res = await postSigned(url, interactionBody(payload), { secret: SECRET });
      if (res.status !== 200) throw new Error(`button press answered ${res.status}`);
      const calls = await fake.waitFor((cs) => cs.filter((c) => c.method === 'views.open').length > before);
      return calls.filter((c) => c.method === 'views.open').at(-1)?.body.view as Record<string, unknown>;
    },
    async submitModal(userId, view, values) {
      const payload = viewSubmissionPayload({
        userId,
        callbackId: String(view.callback_id),
        privateMetadata: String(view.private_metadata ?? ''),
        values,
      });
      const res = await postSigned(url, interactionBody(payload), { secret: SECRET });
      return { status: res.status, json: res.text === '' ? null : JSON.parse(res.text) };
    },
    async join(userId, slug) {
      const s = runtime.services;
      const team = s.teams.bySlug(slug);
      if (!team) throw new Error(`no team ${slug}`);
      const { reply } = await app.press(userId, 'consent_join', String(team.id));
      if (reply !== null || !s.teams.isMember(team.id, userId)) {
        throw new Error(`${userId} could not join ${slug}: ${reply}`);
      }
    },
    async addMembers(caller, slug, people) {
      const mark = fake.calls.length;
      const { reply } = await app.command(caller, `team add ${slug} ${people}`);
      const team = runtime.services.teams.bySlug(slug);
      for (const { userId } of team ? runtime.services.teams.pending(team.id) : [])
        await app.join(userId, slug);
      await app.drain();
      fake.calls.splice(mark);
      return reply;
    },
    async close() {
      await runtime.stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return app;
}
