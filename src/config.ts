import { z } from 'zod';
import { USER_ID } from './domain/ids.ts';
import { isValidTimezone } from './domain/schedule.ts';

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

const intFrom = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const optional = (s: string | undefined): string | undefined =>
  s === undefined || s.trim() === '' ? undefined : s;

const databasePath = z.string().trim().min(1).default('./data/teamhealth.db');
const minResponses = intFrom('MIN_RESPONSES', 3, 1000).default(5);

const schema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'SLACK_BOT_TOKEN is required (the bot token, xoxb-…)' })
      .trim()
      .startsWith('xoxb-', 'SLACK_BOT_TOKEN must start with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().trim().min(1).optional(),
    SLACK_APP_TOKEN: z
      .string()
      .trim()
      .startsWith('xapp-', 'SLACK_APP_TOKEN must start with xapp-')
      .optional(),
    PORT: intFrom('PORT', 0, 65535).default(3000),
    DATABASE_PATH: databasePath,
    SLACK_API_URL: z
      .url({
        protocol: /^https?$/,
        error: 'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/',
      })
      // The bot token travels with every call: in clear text only to this machine (tests, the demo).
      .refine(
        (u) => !URL.canParse(u) || new URL(u).protocol === 'https:' || isLoopback(new URL(u).hostname),
        'SLACK_API_URL may use http:// only for this machine (localhost, 127.x.x.x, [::1]); use https:// for any other host',
      )
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
    ADMIN_USER_IDS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id.length > 0),
      )
      .pipe(z.array(z.string().regex(USER_ID, 'ADMIN_USER_IDS must be Slack user ids like U0123ABCD'))),
    DEFAULT_TIMEZONE: z
      .string()
      .trim()
      .default('UTC')
      .refine(isValidTimezone, 'DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Berlin'),
    MIN_RESPONSES: minResponses,
    LOG_LEVEL: z
      .string()
      .trim()
      .toLowerCase()
      .default('info')
      .pipe(z.enum(['debug', 'info', 'warn', 'error'], 'LOG_LEVEL must be debug, info, warn or error')),
    RETENTION_WEEKS: intFrom('RETENTION_WEEKS', 1, 10_000).default(104),
    REMINDER_HOURS: intFrom('REMINDER_HOURS', 1, 24 * 14).default(24),
    // Under a week, so a weekly round has closed before the next one opens.
    ROUND_WINDOW_HOURS: intFrom('ROUND_WINDOW_HOURS', 2, 24 * 7 - 1).default(72),
    SLACK_TIMEOUT_MS: intFrom('SLACK_TIMEOUT_MS', 100, 120_000).default(10_000),
    // Slack allows chat.postMessage "several hundred" a minute per workspace (and ~1/s per channel);
    // chat.update is Tier 3 (50+ a minute). 0 turns pacing off (Slack's 429s still pace the outbox).
    SLACK_POSTMESSAGE_PER_MINUTE: intFrom('SLACK_POSTMESSAGE_PER_MINUTE', 0, 1_000_000).default(300),
    SLACK_UPDATE_PER_MINUTE: intFrom('SLACK_UPDATE_PER_MINUTE', 0, 1_000_000).default(50),
  })
  .refine((c) => c.SLACK_APP_TOKEN !== undefined || c.SLACK_SIGNING_SECRET !== undefined, {
    path: ['SLACK_SIGNING_SECRET'],
    message: 'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
  })
  .refine((c) => c.REMINDER_HOURS < c.ROUND_WINDOW_HOURS, {
    path: ['REMINDER_HOURS'],
    message: 'REMINDER_HOURS must be shorter than ROUND_WINDOW_HOURS',
  });

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  port: number;
  databasePath: string;
  slackApiUrl: string | undefined;
  adminUserIds: ReadonlySet<string>;
  defaultTimezone: string;
  minResponses: number;
  logLevel: LogLevel;
  retentionWeeks: number;
  reminderHours: number;
  windowHours: number;
  /** How long one Web API call may take before it is abandoned (and retried by the outbox). */
  slackTimeoutMs: number;
  /** The outbox's pace per Slack method, in calls a minute (0: not paced). */
  slackBudgets: Readonly<Record<'chat.postMessage' | 'chat.update', number>>;
  /** The interface the HTTP receiver listens on; all interfaces when unset. Not from the environment: the demo sets 127.0.0.1. */
  host?: string;
}

export class ConfigError extends Error {}

const firstIssue = (error: z.ZodError): ConfigError => {
  const issue = error.issues[0];
  // The variable, not the position inside it (ADMIN_USER_IDS.2 would puzzle anyone).
  const variable = String(issue?.path[0] ?? 'environment');
  const message = issue?.message ?? 'is invalid';
  return new ConfigError(message.includes(variable) ? message : `${variable}: ${message}`);
};

/** The part of the configuration that tools reading the database need (the export), without Slack tokens. */
export function parseStorageConfig(env: NodeJS.ProcessEnv): { databasePath: string; minResponses: number } {
  const result = z
    .object({ DATABASE_PATH: databasePath, MIN_RESPONSES: minResponses })
    .safeParse({ DATABASE_PATH: optional(env.DATABASE_PATH), MIN_RESPONSES: optional(env.MIN_RESPONSES) });
  if (!result.success) throw firstIssue(result.error);
  return { databasePath: result.data.DATABASE_PATH, minResponses: result.data.MIN_RESPONSES };
}

/** Turns the environment into a typed Config, or throws one line naming the variable at fault. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const raw = Object.fromEntries(Object.keys(schema.def.shape ?? {}).map((k) => [k, optional(env[k])]));
  const result = schema.safeParse(raw);
  if (!result.success) throw firstIssue(result.error);
  const c = result.data;
  return {
    botToken: c.SLACK_BOT_TOKEN,
    signingSecret: c.SLACK_SIGNING_SECRET,
    appToken: c.SLACK_APP_TOKEN,
    port: c.PORT,
    databasePath: c.DATABASE_PATH,
    slackApiUrl: c.SLACK_API_URL,
    adminUserIds: new Set(c.ADMIN_USER_IDS),
    defaultTimezone: c.DEFAULT_TIMEZONE,
    minResponses: c.MIN_RESPONSES,
    logLevel: c.LOG_LEVEL,
    retentionWeeks: c.RETENTION_WEEKS,
    reminderHours: c.REMINDER_HOURS,
    windowHours: c.ROUND_WINDOW_HOURS,
    slackTimeoutMs: c.SLACK_TIMEOUT_MS,
    slackBudgets: {
      'chat.postMessage': c.SLACK_POSTMESSAGE_PER_MINUTE,
      'chat.update': c.SLACK_UPDATE_PER_MINUTE,
    },
  };
}
