// Start-up checks against Slack, before anything listens or ticks: is the bot token accepted (auth.test),
// and in Socket Mode the app-level token (apps.connections.open). A rejected token stops start-up with one
// line naming the variable; Slack unreachable is retried with backoff for about a minute, a line per retry.
import { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { errorMessage, type Logger } from '../log.ts';
import { httpFetch } from './httpFetch.ts';

/** Who the bot is, from auth.test. */
export interface SlackIdentity {
  teamId: string;
  team: string;
  userId: string;
  user: string;
  botId: string;
}

/** A reason start-up stops, as the one line an operator reads (no stack trace). */
export class StartupError extends Error {}

/** Waits between attempts while Slack is unreachable: 1 + 2 + 4 + 8 + 15 + 15 + 15 = 60 s, then give up. */
export const START_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000];

/** `ok: false` errors that say Slack is having trouble, not that the token is wrong: worth another try. */
const TRANSIENT_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

export interface StartupOptions {
  /** The waits between attempts while Slack is unreachable (tests shorten them). */
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const AuthTest = z.object({
  team_id: z.string().min(1),
  team: z.string(),
  user_id: z.string().min(1),
  user: z.string(),
  bot_id: z.string().min(1),
});

type Outcome = { rejected: string } | { unreachable: string };

/** Sorts a failed Web API call: the token was refused (final), or Slack could not be reached (retry). */
function outcome(err: unknown): Outcome {
  if (err instanceof webApi.WebAPIPlatformError) {
    const error = String(err.data.error);
    return TRANSIENT_ERRORS.has(error) ? { unreachable: `Slack answered ${error}` } : { rejected: error };
  }
  if (err instanceof webApi.WebAPIHTTPError) return { unreachable: `HTTP ${err.statusCode}` };
  if (err instanceof webApi.WebAPIRateLimitedError) return { unreachable: 'rate limited' };
  if (err instanceof webApi.WebAPIRequestError) return { unreachable: requestFailure(err.original) };
  return { unreachable: errorMessage(err) };
}

/** `fetch failed` says nothing: the cause (ECONNREFUSED, ENOTFOUND, a timeout) does. */
function requestFailure(original: Error): string {
  const cause = (original as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code}: ${cause.message}`
      : cause.message;
  }
  return original.message;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls Slack until it answers: a refused token throws a StartupError naming `variable` at once; an
 * unreachable Slack is retried after each delay, with a log line, and then throws a StartupError.
 */
async function untilAnswered<T>(
  call: () => Promise<T>,
  what: { variable: string; method: string; hint: string; apiUrl: string },
  log: Logger,
  options: StartupOptions,
): Promise<T> {
  const delays = options.retryDelaysMs ?? START_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? defaultSleep;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const result = outcome(err);
      if ('rejected' in result) {
        throw new StartupError(`${what.variable} was rejected by Slack (${result.rejected}): ${what.hint}`);
      }
      const delay = delays[attempt];
      if (delay === undefined) {
        const seconds = Math.round((Date.now() - started) / 1000);
        throw new StartupError(
          `could not reach Slack at ${what.apiUrl} (${result.unreachable}); gave up after ${attempt + 1} attempts in ${seconds} s. Check the network, a proxy, or SLACK_API_URL in .env`,
        );
      }
      log.warn(
        `Slack is unreachable at ${what.apiUrl} (${what.method}: ${result.unreachable}); attempt ${attempt + 1} of ${delays.length + 1}, next in ${delay / 1000} s`,
      );
      await sleep(delay);
    }
  }
}

/**
 * auth.test with the bot token, then (Socket Mode) apps.connections.open with the app token. The
 * connection URL it returns is not used: the receiver asks for its own when it connects, and an unused
 * URL simply expires.
 */
export async function verifySlack(
  config: Config,
  log: Logger,
  options: StartupOptions = {},
): Promise<SlackIdentity> {
  const apiUrl = config.slackApiUrl ?? 'https://slack.com/api/';
  const clientOptions = {
    // Retries are ours (above), with a line each; the client would retry silently for minutes.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.slackTimeoutMs,
    slackApiUrl: apiUrl,
    logLevel: webApi.LogLevel.ERROR,
    fetch: httpFetch,
  };
  const bot = new webApi.WebClient(config.botToken, clientOptions);
  const auth = await untilAnswered(
    () => bot.auth.test(),
    {
      variable: 'SLACK_BOT_TOKEN',
      method: 'auth.test',
      hint: 'copy the Bot User OAuth Token (xoxb-…) from the app’s OAuth & Permissions page into .env or the environment, reinstalling the app if it was removed',
      apiUrl,
    },
    log,
    options,
  );
  const parsed = AuthTest.safeParse(auth);
  if (!parsed.success) {
    throw new StartupError('SLACK_BOT_TOKEN is not a bot token: auth.test names no bot; use the xoxb- token');
  }
  const identity: SlackIdentity = {
    teamId: parsed.data.team_id,
    team: parsed.data.team,
    userId: parsed.data.user_id,
    user: parsed.data.user,
    botId: parsed.data.bot_id,
  };
  if (config.appToken !== undefined) {
    const app = new webApi.WebClient(config.appToken, clientOptions);
    await untilAnswered(
      () => app.apps.connections.open(),
      {
        variable: 'SLACK_APP_TOKEN',
        method: 'apps.connections.open',
        hint: 'turn on Socket Mode in the app settings and copy an app-level token with the connections:write scope (xapp-…, Basic Information → App-Level Tokens) into .env or the environment',
        apiUrl,
      },
      log,
      options,
    );
  }
  log.info(
    `connected to the Slack workspace ${identity.team} (${identity.teamId}) as @${identity.user} (${identity.userId})`,
  );
  return identity;
}
