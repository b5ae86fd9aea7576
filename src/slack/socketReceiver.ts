import {
  type App,
  type Logger as BoltLogger,
  LogLevel,
  type ReceiverEvent,
  SocketModeReceiver,
} from '@slack/bolt';
import { z } from 'zod';
import { errorMessage, type Logger } from '../log.ts';
import { ACK_TIMEOUT_MS, checkSlackBody, type SlackBodyKind } from './receiver.ts';

export interface GuardedSocketModeOptions {
  appToken: string;
  /** Also where `apps.connections.open` goes (SLACK_API_URL). */
  slackApiUrl?: string;
  timeoutMs: number;
  logger: BoltLogger;
  log: Logger;
  /**
   * The Socket Mode client's pong deadline; it also waits this long (times the failures in a row) before
   * reconnecting. Slack's SDK default is 5 s; tests shorten it.
   */
  clientPingTimeoutMs?: number;
}

/** What each envelope type must carry, in the terms of the HTTP receiver's shape check. */
const KIND: Record<'slash_commands' | 'interactive' | 'events_api', SlackBodyKind> = {
  slash_commands: 'command',
  interactive: 'interaction',
  events_api: 'event',
};

/** Messages about the connection itself, left to Slack's client (it connects, and reconnects on disconnect). */
const Control = z.object({ type: z.enum(['hello', 'disconnect']) });

const Envelope = z.object({
  envelope_id: z.string().min(1),
  type: z.enum(['slash_commands', 'interactive', 'events_api']),
  payload: z.unknown(),
  retry_attempt: z.number().int().min(0).optional(),
  retry_reason: z.string().optional(),
});
type Envelope = z.infer<typeof Envelope>;

type SdkHandler = (data: unknown, isBinary: boolean) => unknown;

/**
 * Bolt's SocketModeReceiver, with the HTTP receiver's guard in front: Slack's client reads
 * `payload.event.type` of every events_api envelope before anything else (`payload: null` is an
 * unhandled rejection), and Bolt crashes on the same bodies as over HTTP. Here each envelope is parsed
 * and shape-checked first; one that fails is acknowledged (so Slack does not send it again) and dropped
 * with a log line. Envelopes that pass are dispatched to Bolt as the HTTP receiver does it: acknowledged
 * once, by the listener or empty just before Slack's 3 s, or at once when no listener took it.
 */
export class GuardedSocketModeReceiver extends SocketModeReceiver {
  private bolt: App | undefined;
  private readonly log: Logger;

  constructor(o: GuardedSocketModeOptions) {
    super({
      appToken: o.appToken,
      logger: o.logger,
      logLevel: LogLevel.INFO,
      ...(o.clientPingTimeoutMs !== undefined && { clientPingTimeout: o.clientPingTimeoutMs }),
      // Bolt hands `installerOptions.clientOptions` to the Socket Mode client's own WebClient, the one that
      // calls apps.connections.open: without it, that call always goes to slack.com.
      installerOptions: {
        clientOptions: {
          timeout: o.timeoutMs,
          ...(o.slackApiUrl !== undefined && { slackApiUrl: o.slackApiUrl }),
        },
      },
    });
    this.log = o.log;
    // Slack's client turns each WebSocket message into events in one `ws_message` listener; take its
    // place and hand it only the messages it must see (hello, disconnect).
    const sdk = this.client.listeners('ws_message') as SdkHandler[];
    if (sdk.length !== 1) {
      throw new Error(
        '@slack/socket-mode no longer reads messages in one ws_message listener; revisit the guard',
      );
    }
    this.client.removeAllListeners('ws_message');
    this.client.on('ws_message', (data: unknown, isBinary: boolean) => this.receive(data, isBinary, sdk));
    // Slack's client reconnects by itself; say so, so a gap in the log has a reason.
    let reconnecting = false;
    this.client.on('reconnecting', () => {
      reconnecting = true;
      this.log.info('socket mode: the connection closed; reconnecting');
    });
    this.client.on('connected', () => {
      if (reconnecting) this.log.info('socket mode: reconnected');
      reconnecting = false;
    });
  }

  override init(app: App): void {
    super.init(app);
    this.bolt = app;
  }

  private receive(data: unknown, isBinary: boolean, sdk: SdkHandler[]): void {
    if (isBinary || typeof data !== 'string') {
      this.drop(undefined, 'a binary message');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.drop(undefined, 'a message that is not JSON');
      return;
    }
    if (Control.safeParse(message).success) {
      for (const handler of sdk) handler(data, isBinary);
      return;
    }
    const envelope = Envelope.safeParse(message);
    const id = z.object({ envelope_id: z.string().min(1) }).safeParse(message).data?.envelope_id;
    if (!envelope.success) {
      this.drop(id, 'an envelope of a type or shape Slack does not send');
      return;
    }
    const checked = checkSlackBody(envelope.data.payload);
    if (!checked.ok) {
      this.drop(id, `a ${envelope.data.type} envelope: ${checked.message}`);
      return;
    }
    if (checked.kind !== KIND[envelope.data.type]) {
      this.drop(id, `a ${envelope.data.type} envelope carrying a ${checked.kind}`);
      return;
    }
    void this.dispatch(envelope.data, checked.body);
  }

  /** Acknowledges (when it has an id) and drops a message; the log line never carries its content. */
  private drop(envelopeId: string | undefined, what: string): void {
    this.log.warn(`socket mode: dropped ${what}`);
    if (envelopeId !== undefined) void this.ack(envelopeId, undefined);
  }

  private async ack(envelopeId: string, response: unknown): Promise<void> {
    try {
      // `send` is how Slack's client acknowledges (its own ack() calls it); typed private, so named here.
      const client = this.client as unknown as {
        send(id: string, body: Record<string, unknown>): Promise<void>;
      };
      await client.send(envelopeId, (response ?? {}) as Record<string, unknown>);
    } catch (err) {
      // The socket closed under us: Slack sends the envelope again on the next connection if it matters.
      this.log.warn(`socket mode: could not acknowledge: ${errorMessage(err)}`);
    }
  }

  private async dispatch(envelope: Envelope, body: Record<string, unknown>): Promise<void> {
    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      clearTimeout(timer);
      await this.ack(envelope.envelope_id, response);
    };
    const timer = setTimeout(() => {
      if (!acked)
        this.log.warn('socket mode: no listener acknowledged in time; sent an empty acknowledgement');
      void ack();
    }, ACK_TIMEOUT_MS);
    const event: ReceiverEvent = {
      body,
      ack,
      // As X-Slack-Retry-Num over HTTP: only a re-sent envelope carries a retry.
      ...(envelope.retry_attempt !== undefined &&
        envelope.retry_attempt > 0 && {
          retryNum: envelope.retry_attempt,
          retryReason: envelope.retry_reason ?? '',
        }),
    };
    try {
      await this.bolt?.processEvent(event);
    } catch (err) {
      // As over HTTP: listener errors end in app.error, so this is Bolt failing on the body itself.
      this.log.warn(`socket mode: an envelope Bolt could not read: ${errorMessage(err)}`);
    }
    // A listener that matched nothing leaves the envelope unacknowledged: acknowledge it now.
    await ack();
  }
}
