import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The app manifest admins paste into Slack to create the app. Length limits are Slack's, from the
 * app manifest reference (docs.slack.dev/reference/app-manifest, mirrored in @slack/web-api's
 * Manifest types): app name ≤ 35 characters, short description ≤ 140, bot display name ≤ 80 of
 * `a-z 0-9 - _ .`, slash command ≤ 32 including the leading `/`, command description ≤ 2000,
 * usage hint ≤ 1000.
 */
const LIMITS = {
  appName: 35,
  appDescription: 140,
  botDisplayName: 80,
  command: 32,
  commandDescription: 2000,
  usageHint: 1000,
} as const;

const httpsUrl = z.string().regex(/^https:\/\//);

const manifestShape = z.object({
  _metadata: z.object({ major_version: z.literal(1) }).optional(),
  display_information: z.object({
    name: z.string().min(1),
    description: z.string().min(1).optional(),
  }),
  features: z.object({
    bot_user: z.object({ display_name: z.string().min(1), always_online: z.boolean().optional() }),
    app_home: z.object({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    slash_commands: z.array(
      z.object({
        command: z.string(),
        url: httpsUrl.optional(),
        description: z.string().min(1),
        usage_hint: z.string().optional(),
        should_escape: z.boolean().optional(),
      }),
    ),
  }),
  oauth_config: z.object({
    scopes: z.object({ bot: z.array(z.string()), user: z.array(z.string()).optional() }),
  }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: httpsUrl.optional(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean(), request_url: httpsUrl.optional() }),
    socket_mode_enabled: z.boolean().optional(),
  }),
});

const raw: unknown = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
const manifest = manifestShape.parse(raw);

describe('manifest.json', () => {
  it('has the required sections', () => {
    expect(manifestShape.safeParse(raw).success).toBe(true);
    expect(manifest.display_information.name).toBe('teamhealth');
    expect(manifest.features.bot_user.display_name).toBe('teamhealth');
    expect(manifest.oauth_config).toBeDefined();
  });

  it('declares exactly one slash command, /teamhealth, with escaped mentions and a usage hint', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe('/teamhealth');
    // Without should_escape, mentions arrive as plain @name text instead of <@U123> ids.
    expect(command?.should_escape).toBe(true);
    expect(command?.usage_hint?.trim()).toBeTruthy();
  });

  it('enables interactivity for buttons and modals', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('enables the App Home tab and a writable Messages tab', () => {
    const home = manifest.features.app_home;
    expect(home.home_tab_enabled).toBe(true);
    expect(home.messages_tab_enabled).toBe(true);
    expect(home.messages_tab_read_only_enabled).toBe(false);
  });

  it('asks for exactly the five bot scopes and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      ['chat:write', 'commands', 'im:write', 'usergroups:read', 'users:read'].sort(),
    );
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it('subscribes to app_home_opened', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
  });

  it('points every request URL at the /slack/events endpoint', () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ].filter((url): url is string => url !== undefined);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
  });

  it("stays within Slack's length and character limits", () => {
    const { name, description } = manifest.display_information;
    expect(name.length).toBeLessThanOrEqual(LIMITS.appName);
    expect(description?.length ?? 0).toBeLessThanOrEqual(LIMITS.appDescription);

    const displayName = manifest.features.bot_user.display_name;
    expect(displayName.length).toBeLessThanOrEqual(LIMITS.botDisplayName);
    expect(displayName).toMatch(/^[a-z0-9._-]+$/);

    for (const command of manifest.features.slash_commands) {
      expect(command.command).toMatch(/^\/[a-z0-9_-]+$/);
      expect(command.command.length).toBeGreaterThanOrEqual(2);
      expect(command.command.length).toBeLessThanOrEqual(LIMITS.command);
      expect(command.description.length).toBeLessThanOrEqual(LIMITS.commandDescription);
      expect(command.usage_hint?.length ?? 0).toBeLessThanOrEqual(LIMITS.usageHint);
    }
  });
});
