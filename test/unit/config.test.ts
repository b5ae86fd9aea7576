import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

const HTTP = { SLACK_BOT_TOKEN: 'xoxb-123-abc', SLACK_SIGNING_SECRET: 'shh' };

/** The one-line start-up error for this environment (fails the test when parsing succeeds). */
function startupError(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected start-up to stop for ${JSON.stringify(env)}`);
}

describe('parseConfig defaults', () => {
  it('fills in the documented defaults from a minimal HTTP-mode environment', () => {
    const c = parseConfig(HTTP);
    expect(c.botToken).toBe('xoxb-123-abc');
    expect(c.signingSecret).toBe('shh');
    expect(c.appToken).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.databasePath).toBe('./data/teamhealth.db');
    expect(c.slackApiUrl).toBeUndefined();
    expect([...c.adminUserIds]).toEqual([]);
    expect(c.defaultTimezone).toBe('UTC');
    expect(c.minResponses).toBe(5);
    expect(c.logLevel).toBe('info');
    expect(c.reminderHours).toBe(24);
    expect(c.windowHours).toBe(72);
  });

  it('treats empty and blank strings as unset', () => {
    const c = parseConfig({
      ...HTTP,
      PORT: '',
      MIN_RESPONSES: '  ',
      LOG_LEVEL: '',
      DEFAULT_TIMEZONE: '',
      ADMIN_USER_IDS: '',
      DATABASE_PATH: '',
      SLACK_API_URL: '',
      SLACK_APP_TOKEN: '',
    });
    expect(c.port).toBe(3000);
    expect(c.minResponses).toBe(5);
    expect(c.logLevel).toBe('info');
    expect(c.defaultTimezone).toBe('UTC');
    expect(c.adminUserIds.size).toBe(0);
    expect(c.databasePath).toBe('./data/teamhealth.db');
    expect(c.slackApiUrl).toBeUndefined();
    expect(c.appToken).toBeUndefined();
  });

  it('takes explicit values', () => {
    const c = parseConfig({
      ...HTTP,
      PORT: '8080',
      MIN_RESPONSES: '3',
      LOG_LEVEL: 'debug',
      DEFAULT_TIMEZONE: 'Europe/Berlin',
      ADMIN_USER_IDS: 'U01ABC, W02XYZ ,',
      DATABASE_PATH: '/tmp/x/th.db',
    });
    expect(c.port).toBe(8080);
    expect(c.minResponses).toBe(3);
    expect(c.logLevel).toBe('debug');
    expect(c.defaultTimezone).toBe('Europe/Berlin');
    expect([...c.adminUserIds].sort()).toEqual(['U01ABC', 'W02XYZ']);
    expect(c.adminUserIds.has('U01ABC')).toBe(true);
    expect(c.databasePath).toBe('/tmp/x/th.db');
  });

  it.each(['UTC', 'Etc/UTC', 'America/New_York', 'Asia/Kolkata'])('accepts the time zone %s', (tz) => {
    expect(parseConfig({ ...HTTP, DEFAULT_TIMEZONE: tz }).defaultTimezone).toBe(tz);
  });

  it('lets SLACK_API_URL be http:// only for this machine, so the bot token never crosses a network in clear', () => {
    for (const url of [
      'http://127.0.0.1:4000/api/',
      'http://localhost:4000/api/',
      'http://[::1]:4000/api/',
      'https://slack.example/api/',
    ]) {
      expect(parseConfig({ ...HTTP, SLACK_API_URL: url }).slackApiUrl).toBe(url);
    }
    for (const url of [
      'http://slack.com/api/',
      'http://10.0.0.5/api/',
      'http://localhost.evil.example/api/',
    ]) {
      expect(() => parseConfig({ ...HTTP, SLACK_API_URL: url })).toThrow(
        /SLACK_API_URL may use http:\/\/ only for this machine/,
      );
    }
  });

  it('adds a trailing slash to SLACK_API_URL and keeps one that is there', () => {
    expect(parseConfig({ ...HTTP, SLACK_API_URL: 'http://127.0.0.1:4000/api' }).slackApiUrl).toBe(
      'http://127.0.0.1:4000/api/',
    );
    expect(parseConfig({ ...HTTP, SLACK_API_URL: 'http://127.0.0.1:4000/api/' }).slackApiUrl).toBe(
      'http://127.0.0.1:4000/api/',
    );
  });
});

describe('parseConfig modes', () => {
  it('needs SLACK_SIGNING_SECRET in HTTP mode', () => {
    const message = startupError({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(message).toContain('SLACK_SIGNING_SECRET');
    expect(startupError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '' })).toContain(
      'SLACK_SIGNING_SECRET',
    );
  });

  it('runs without a signing secret in Socket Mode (SLACK_APP_TOKEN set)', () => {
    const c = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' });
    expect(c.appToken).toBe('xapp-1-A1-2-abc');
    expect(c.signingSecret).toBeUndefined();
  });
});

describe('parseConfig stops start-up with one line naming the variable', () => {
  it.each<[string, Record<string, string | undefined>, string]>([
    ['SLACK_BOT_TOKEN missing', { SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN'],
    ['SLACK_BOT_TOKEN empty', { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN'],
    ['SLACK_BOT_TOKEN a user token', { ...HTTP, SLACK_BOT_TOKEN: 'xoxp-123' }, 'SLACK_BOT_TOKEN'],
    ['SLACK_APP_TOKEN not xapp-', { ...HTTP, SLACK_APP_TOKEN: 'xoxb-2' }, 'SLACK_APP_TOKEN'],
    ['PORT not a number', { ...HTTP, PORT: 'eighty' }, 'PORT'],
    ['PORT a fraction', { ...HTTP, PORT: '3000.5' }, 'PORT'],
    ['PORT negative', { ...HTTP, PORT: '-1' }, 'PORT'],
    ['PORT too large', { ...HTTP, PORT: '70000' }, 'PORT'],
    ['MIN_RESPONSES below 3', { ...HTTP, MIN_RESPONSES: '2' }, 'MIN_RESPONSES'],
    ['MIN_RESPONSES zero', { ...HTTP, MIN_RESPONSES: '0' }, 'MIN_RESPONSES'],
    ['MIN_RESPONSES not a number', { ...HTTP, MIN_RESPONSES: 'five' }, 'MIN_RESPONSES'],
    ['DEFAULT_TIMEZONE unknown', { ...HTTP, DEFAULT_TIMEZONE: 'Mars/Olympus_Mons' }, 'DEFAULT_TIMEZONE'],
    ['DEFAULT_TIMEZONE an offset', { ...HTTP, DEFAULT_TIMEZONE: '+01:00' }, 'DEFAULT_TIMEZONE'],
    ['ADMIN_USER_IDS with a name', { ...HTTP, ADMIN_USER_IDS: 'U01ABC,bob' }, 'ADMIN_USER_IDS'],
    ['ADMIN_USER_IDS with a mention', { ...HTTP, ADMIN_USER_IDS: '<@U01ABC>' }, 'ADMIN_USER_IDS'],
    ['ADMIN_USER_IDS with a channel id', { ...HTTP, ADMIN_USER_IDS: 'C01ABC' }, 'ADMIN_USER_IDS'],
    ['LOG_LEVEL unknown', { ...HTTP, LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ['SLACK_API_URL not a URL', { ...HTTP, SLACK_API_URL: 'not a url' }, 'SLACK_API_URL'],
  ])('%s', (_label, env, variable) => {
    const message = startupError(env);
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(200);
  });

  it('reports only the first problem when several variables are wrong', () => {
    const message = startupError({ SLACK_BOT_TOKEN: 'nope', PORT: 'x', MIN_RESPONSES: '1' });
    expect(message).not.toContain('\n');
    const named = ['SLACK_BOT_TOKEN', 'PORT', 'MIN_RESPONSES'].filter((v) => message.includes(v));
    expect(named).toHaveLength(1);
  });
});

describe('parseConfig, forgiving where it is safe and strict where it matters', () => {
  it('accepts LOG_LEVEL in any case', () => {
    expect(parseConfig({ ...HTTP, LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
  });

  it('names the variable, not a position inside it', () => {
    const message = startupError({ ...HTTP, ADMIN_USER_IDS: 'U1,bob' });
    expect(message).toMatch(/^ADMIN_USER_IDS must be Slack user ids/);
    expect(message).not.toContain('ADMIN_USER_IDS.');
  });

  it('refuses a Web API URL that is not http(s), and a round window of a week or more', () => {
    expect(startupError({ ...HTTP, SLACK_API_URL: 'ftp://example.com/api' })).toContain('SLACK_API_URL');
    expect(startupError({ ...HTTP, ROUND_WINDOW_HOURS: '168' })).toContain(
      'ROUND_WINDOW_HOURS must be at most 167',
    );
  });
});
