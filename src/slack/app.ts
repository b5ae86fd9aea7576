import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Services } from '../context.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { Durability } from '../store/walSync.ts';
import { httpFetch } from './httpFetch.ts';
import { registerActionProposals } from './listeners/actionProposals.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommands } from './listeners/commands.ts';
import { registerConsent } from './listeners/consent.ts';
import { listenersOn } from './listeners/dispatch.ts';
import { registerEvents } from './listeners/events.ts';
import { registerNotes } from './listeners/notes.ts';
import { registerSetup } from './listeners/setup.ts';
import { registerViews } from './listeners/views.ts';
import { GuardedHttpReceiver } from './receiver.ts';
import { GuardedSocketModeReceiver } from './socketReceiver.ts';
import type { SlackIdentity } from './startup.ts';

/**
 * Bolt's logger, routed into ours. Bolt's debug lines can carry whole payloads (answers, notes),
 * so they are dropped whatever LOG_LEVEL says.
 */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map(errorMessage).join(' ');
  return {
    debug: () => {},
    info: (...m: unknown[]) => log.info(`bolt: ${text(m)}`),
    warn: (...m: unknown[]) => log.warn(`bolt: ${text(m)}`),
    error: (...m: unknown[]) => log.error(`bolt: ${text(m)}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

export interface SlackApp {
  app: App;
  /** Starts receiving: HTTP on the configured port, or Socket Mode. Resolves to the HTTP port when listening. */
  start(): Promise<number | null>;
  stop(): Promise<void>;
}

export interface SlackAppOptions {
  /** The bot, as auth.test named it at start-up: Bolt then does not call auth.test again. */
  identity: SlackIdentity;
  /** The time the HTTP receiver checks request signatures against (default: the system clock). */
  clock?: () => number;
  /** Socket Mode's pong deadline and reconnect delay (Slack's SDK default, 5 s, when unset). */
  socketPingTimeoutMs?: number;
  /** How answers are made durable before they are acknowledged (the app's one `durability(db)`). */
  durability?: Durability;
}

export function createSlackApp(s: Services, o: SlackAppOptions): SlackApp {
  const { config } = s;
  const logger = boltLogger(s.log);
  const clientOptions = {
    // The outbox owns retries and pacing: the client reports a 429 at once instead of queueing.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.slackTimeoutMs,
    // Node's http, not undici's fetch: no WebAssembly parser to compile (see httpFetch).
    fetch: httpFetch,
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
  };
  const http =
    config.appToken === undefined
      ? new GuardedHttpReceiver({
          signingSecret: config.signingSecret ?? '',
          port: config.port,
          ...(config.host !== undefined && { host: config.host }),
          ...(o.clock && { clock: o.clock }),
          log: s.log,
        })
      : undefined;
  const receiver =
    http ??
    new GuardedSocketModeReceiver({
      appToken: config.appToken as string,
      timeoutMs: config.slackTimeoutMs,
      logger,
      log: s.log,
      ...(config.slackApiUrl !== undefined && { slackApiUrl: config.slackApiUrl }),
      ...(o.socketPingTimeoutMs !== undefined && { clientPingTimeoutMs: o.socketPingTimeoutMs }),
    });
  const app = new App({
    token: config.botToken,
    botId: o.identity.botId,
    botUserId: o.identity.userId,
    receiver,
    logger,
    clientOptions,
  });

  registerCommands(app, s);
  const on = listenersOn(app);
  registerActions(on, s);
  registerActionProposals(on, s);
  registerConsent(on, s);
  registerViews(on, s, o.durability);
  registerSetup(on, s);
  registerNotes(on, s);
  registerEvents(app, s);
  app.error(async (err) => {
    s.log.error(`slack: ${err.message}`);
  });

  return {
    app,
    start: async () => {
      await app.start();
      return http ? http.port : null;
    },
    stop: () => app.stop() as Promise<void>,
  };
}
