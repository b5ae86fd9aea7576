import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Runtime } from '../../src/services.ts';
import { type FakeSlack, startFakeSlack } from '../../tools/fakeSlack.ts';
import { type Ack, type FakeSocketMode, startFakeSocketMode } from '../../tools/fakeSocketMode.ts';
import { blockActionPayload, slashCommandBody, viewSubmissionPayload } from '../../tools/signing.ts';
import {
  type AnswerValues,
  captureLog,
  checkinTokenIn,
  checkinValues,
  drainOutbox,
  messageText,
  testConfig,
} from './harness.ts';

export const APP_TOKEN = 'xapp-1-A1-test';

export interface SocketTestApp {
  fake: FakeSlack;
  socket: FakeSocketMode;
  runtime: Runtime;
  logs: string[];
  /** `/teamhealth <text>` over the socket: the ack, and the reply the app posted to the response_url. */
  command(userId: string, text: string): Promise<{ ack: Ack; reply: string }>;
  /** Clicks the check-in button in the user's DM; resolves to the modal Slack was asked to open. */
  openCheckin(userId: string, roundId: number): Promise<Record<string, unknown>>;
  /** Submits the check-in modal; resolves to the ack (its payload carries `response_action` on refusal). */
  submit(userId: string, roundId: number, answers: AnswerValues, note?: string): Promise<Ack>;
  /** The user opens the app's Home tab: resolves to the view the app published for them. */
  openHome(userId: string): Promise<Record<string, unknown>>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** An Events API body as Slack wraps it, the envelope's payload. */
let eventSeq = 0;
export const eventCallback = (event: Record<string, unknown>): Record<string, unknown> => ({
  token: 'legacy-verification-token',
  team_id: 'T1',
  api_app_id: 'A1',
  type: 'event_callback',
  event_id: `EvSocket${++eventSeq}`,
  event_time: Math.floor(Date.now() / 1000),
  authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
  event,
});

/**
 * Boots the real app in Socket Mode (SLACK_APP_TOKEN set, no signing secret) against a fresh fake Slack
 * whose apps.connections.open hands out the URL of a fake Socket Mode server; resolves once connected.
 */
export async function startSocketTestApp(env: Record<string, string> = {}): Promise<SocketTestApp> {
  const socket = await startFakeSocketMode();
  const fake = await startFakeSlack({ socketModeUrl: () => socket.connectionUrl() });
  const dir = mkdtempSync(join(tmpdir(), 'teamhealth-socket-'));
  const config = testConfig(fake, join(dir, 'teamhealth.db'), { SLACK_APP_TOKEN: APP_TOKEN, ...env });
  const { log, logs } = captureLog();
  // A shorter pong deadline makes the client reconnect 2 s after a disconnect instead of 5; not shorter,
  // so a busy machine's late timers do not look like a dead connection.
  const runtime = await createServices(config, log, { socketPingTimeoutMs: 2000 });
  await runtime.start();
  let responses = 0;

  const interact = async (payload: Record<string, unknown>): Promise<Ack> =>
    socket.send('interactive', payload);

  return {
    fake,
    socket,
    runtime,
    logs,
    async command(userId, text) {
      const id = `s${++responses}`;
      const body = slashCommandBody({ text, userId, responseUrl: fake.responseUrl(id) });
      const ack = await socket.send('slash_commands', Object.fromEntries(new URLSearchParams(body)));
      const calls = await fake.waitFor((cs) => cs.some((c) => c.responseUrlId === id));
      return { ack, reply: messageText(calls.find((c) => c.responseUrlId === id)?.body ?? {}) };
    },
    async openCheckin(userId, roundId) {
      const before = fake.callsTo('views.open').length;
      await interact(
        blockActionPayload({
          userId,
          actionId: 'checkin_open',
          value: checkinTokenIn(fake, userId, roundId),
        }),
      );
      const calls = await fake.waitFor((cs) => cs.filter((c) => c.method === 'views.open').length > before);
      return calls.filter((c) => c.method === 'views.open').at(-1)?.body.view as Record<string, unknown>;
    },
    submit(userId, roundId, answers, note) {
      return interact(
        viewSubmissionPayload({
          userId,
          callbackId: 'checkin',
          privateMetadata: checkinTokenIn(fake, userId, roundId),
          values: checkinValues(answers, note),
        }),
      );
    },
    async openHome(userId) {
      const published = () => fake.callsTo('views.publish').filter((c) => c.body.user_id === userId);
      const before = published().length;
      await socket.send(
        'events_api',
        eventCallback({
          type: 'app_home_opened',
          user: userId,
          channel: `D${userId}`,
          tab: 'home',
          event_ts: '1.0',
        }),
      );
      await fake.waitFor(() => published().length > before);
      return published().at(-1)?.body.view as Record<string, unknown>;
    },
    drain: () => drainOutbox(runtime),
    async close() {
      await runtime.stop();
      await socket.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
