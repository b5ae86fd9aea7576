// A fake Slack Socket Mode server on 127.0.0.1 for tests, speaking Slack's protocol: the app asks the
// Web API's apps.connections.open for a URL (the fake Slack answers with `connectionUrl()`), connects
// with that single-use ticket, is greeted with `hello`, and then receives envelopes
// (`slash_commands`, `interactive`, `events_api`) that it acknowledges with
// `{ envelope_id, payload? }` — the payload carrying, for example, `response_action: "errors"`.
// The fake can ask the app to reconnect (`disconnect`), drop the TCP connection, and send anything.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** Why Slack asks a client to reconnect: a routine refresh, a warning before it closes the socket, or Socket Mode turned off. */
export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled';

/** What the app sent back for an envelope. */
export interface Ack {
  envelope_id: string;
  /** The response (e.g. `{ response_action: 'errors', errors }`); `{}` or absent for a bare ack. */
  payload?: Record<string, unknown>;
}

export interface FakeSocketMode {
  /** A `ws://` URL with a fresh single-use ticket: what apps.connections.open answers. */
  connectionUrl(): string;
  /** Connections greeted with `hello` so far. */
  readonly connections: number;
  /** Whether a connection is open now. */
  readonly connected: boolean;
  /** Every acknowledgement the app sent, in order. */
  readonly acks: Ack[];
  /** Resolves once `count` connections in all have been greeted (the app is connected). */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Sends an envelope; resolves with the app's acknowledgement. As on Slack, an event finds its way
   * to the app even when no connection is open now or the one it went out on dropped before the ack
   * (it is sent on the next connection, `retry_attempt` counting up); a command or an interaction
   * with no connection open fails at once.
   */
  send(type: EnvelopeType, payload: unknown, timeoutMs?: number): Promise<Ack>;
  /** Sends any envelope-like object as is (hostile shapes); resolves with the ack for its id. */
  sendEnvelope(envelope: { envelope_id: string } & Record<string, unknown>, timeoutMs?: number): Promise<Ack>;
  /** Sends any text as is; nothing to wait for. */
  sendRaw(text: string): void;
  /** Slack's `disconnect` message on the open connection. */
  disconnect(reason?: DisconnectReason): void;
  /** Destroys the open connection's socket without a close frame, as a network failure does. */
  drop(): void;
  close(): Promise<void>;
}

interface Pending {
  envelope: Record<string, unknown> & { envelope_id: string; type?: unknown };
  resolve(ack: Ack): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  /** The connection it went out on, if any. */
  on: WebSocket | undefined;
}

const APP_ID = 'A1';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const tickets = new Set<string>();
  const pending = new Map<string, Pending>();
  const acks: Ack[] = [];
  let current: WebSocket | undefined;
  let connections = 0;

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/link/',
    // A URL from apps.connections.open is good for one connection, as on Slack.
    verifyClient: (info, done) => {
      const ticket = new URL(info.req.url ?? '/', 'ws://127.0.0.1').searchParams.get('ticket') ?? '';
      if (tickets.delete(ticket)) done(true);
      else done(false, 401, 'invalid ticket');
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;

  const transmit = (p: Pending, socket: WebSocket): void => {
    p.on = socket;
    socket.send(JSON.stringify(p.envelope));
  };

  wss.on('connection', (socket) => {
    current = socket;
    connections += 1;
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    // Events that had no connection, or whose connection dropped before the ack, go out again here.
    for (const p of pending.values()) if (p.on === undefined) transmit(p, socket);
    socket.on('message', (data) => {
      let ack: unknown;
      try {
        ack = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof ack !== 'object' || ack === null) return;
      const { envelope_id, payload } = ack as { envelope_id?: unknown; payload?: unknown };
      if (typeof envelope_id !== 'string') return;
      const recorded: Ack = {
        envelope_id,
        ...(typeof payload === 'object' &&
          payload !== null && { payload: payload as Record<string, unknown> }),
      };
      acks.push(recorded);
      const p = pending.get(envelope_id);
      if (!p) return;
      pending.delete(envelope_id);
      clearTimeout(p.timer);
      p.resolve(recorded);
    });
    socket.on('close', () => {
      if (current === socket) current = undefined;
      for (const p of pending.values()) {
        if (p.on !== socket) continue;
        if (p.envelope.type === 'events_api') {
          // Slack sends an unacknowledged event again.
          p.on = undefined;
          p.envelope.retry_attempt = Number(p.envelope.retry_attempt ?? 0) + 1;
          p.envelope.retry_reason = 'timeout';
        }
      }
    });
  });

  const open = (): WebSocket | undefined => (current?.readyState === WebSocket.OPEN ? current : undefined);

  const deliver = (envelope: Pending['envelope'], timeoutMs: number, queueable: boolean): Promise<Ack> =>
    new Promise<Ack>((resolve, reject) => {
      const socket = open();
      if (!socket && !queueable) {
        reject(new Error(`fakeSocketMode: no connection open for a ${String(envelope.type)} envelope`));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(envelope.envelope_id);
        reject(new Error(`fakeSocketMode: no ack for envelope ${envelope.envelope_id} in ${timeoutMs} ms`));
      }, timeoutMs);
      const p: Pending = { envelope, resolve, reject, timer, on: undefined };
      pending.set(envelope.envelope_id, p);
      if (socket) transmit(p, socket);
    });

  return {
    connectionUrl() {
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${APP_ID}`;
    },
    get connections() {
      return connections;
    },
    get connected() {
      return open() !== undefined;
    },
    acks,
    async waitForConnections(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (connections < count || !open()) {
        if (Date.now() > deadline) {
          throw new Error(
            `fakeSocketMode: ${connections} connection(s), not ${count}, after ${timeoutMs} ms`,
          );
        }
        await sleep(10);
      }
    },
    send(type, payload, timeoutMs = 10_000) {
      const envelope: Pending['envelope'] = {
        envelope_id: randomUUID(),
        type,
        payload,
        // Slack sets this where a response in the ack is read: commands, and view submissions.
        accepts_response_payload:
          type === 'slash_commands' ||
          (type === 'interactive' && (payload as { type?: unknown } | null)?.type === 'view_submission'),
        ...(type === 'events_api' && { retry_attempt: 0, retry_reason: '' }),
      };
      return deliver(envelope, timeoutMs, type === 'events_api');
    },
    sendEnvelope(envelope, timeoutMs = 10_000) {
      return deliver({ ...envelope }, timeoutMs, false);
    },
    sendRaw(text) {
      const socket = open();
      if (!socket) throw new Error('fakeSocketMode: no connection open');
      socket.send(text);
    },
    disconnect(reason = 'refresh_requested') {
      open()?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    },
    drop() {
      current?.terminate();
    },
    async close() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
