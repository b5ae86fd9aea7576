import { App, type Logger as BoltLogger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Services } from '../context.ts';
import type { Logger } from '../log.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommands } from './listeners/commands.ts';
import { registerConsent } from './listeners/consent.ts';
import { registerEvents } from './listeners/events.ts';
import { registerSetup } from './listeners/setup.ts';
import { registerViews } from './listeners/views.ts';
import { GuardedHttpReceiver } from './receiver.ts';

/**
 * Bolt's logger, routed into ours. Bolt's debug lines can carry whole payloads (answers, notes),
 * so they are dropped whatever LOG_LEVEL says.
 */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
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

export function createSlackApp(s: Services): SlackApp {
  const { config } = s;
  const logger = boltLogger(s.log);
  const clientOptions = {
    // The outbox owns retries and pacing: the client reports a 429 at once instead of queueing.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.slackTimeoutMs,
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
  };
  const http =
    config.appToken === undefined
      ? new GuardedHttpReceiver({
          signingSecret: config.signingSecret ?? '',
          port: config.port,
          ...(config.host !== undefined && { host: config.host }),
          log: s.log,
        })
      : undefined;
  const receiver =
    http ?? new SocketModeReceiver({ appToken: config.appToken as string, logger, logLevel: LogLevel.INFO });
  const app = new App({ token: config.botToken, receiver, logger, clientOptions });

  registerCommands(app, s);
  registerActions(app, s);
  registerConsent(app, s);
  registerViews(app, s);
  registerSetup(app, s);
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
