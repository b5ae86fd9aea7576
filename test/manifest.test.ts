import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The app manifests admins paste into Slack to create the app: `manifest.json` (Socket Mode, the
 * recommended start) and `manifest.http.json` (HTTP mode, request URLs to replace). Length limits are
 * Slack's, from the app manifest reference (docs.slack.dev/reference/app-manifest, mirrored in
 * @slack/web-api's Manifest types): app name ≤ 35 characters, short description ≤ 140, bot display name
 * ≤ 80 of `a-z 0-9 - _ .`, slash command ≤ 32 including the leading `/`, command description ≤ 2000,
 * usage hint ≤ 1000. Both files are also validated against Slack's published JSON Schema, vendored in
 * test/fixtures/slack/ (MIT, Slack Technologies).
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
type Manifest = z.infer<typeof manifestShape>;

const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

const FILES = { socket: '../manifest.json', http: '../manifest.http.json' } as const;
const raws = { socket: readJson(FILES.socket), http: readJson(FILES.http) };
const manifests = { socket: manifestShape.parse(raws.socket), http: manifestShape.parse(raws.http) };

const requestUrls = (m: Manifest): Array<string | undefined> => [
  m.settings.event_subscriptions.request_url,
  m.settings.interactivity.request_url,
  ...m.features.slash_commands.map((c) => c.url),
];

/** Slack's app manifest schema (draft-07), compiled by a real JSON Schema validator. */
function slackManifestValidator() {
  const schema = readJson('./fixtures/slack/manifest.schema.1.0.0.json') as { $schema: string };
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  // strictTypes off: a few of Slack's own subschemas put array keywords on untyped schemas.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module, the plugin is `.default`.
  ajvFormats.default(ajv);
  // `_note` is Slack's comment inside the schema: an annotation, nothing to check.
  ajv.addVocabulary(['_note']);
  // Slack's schema writes one pattern as `regex` (background_color), a keyword no draft defines: enforce it
  // as the pattern it means rather than switching strict mode off for every other typo.
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (pattern: string, data: string) => new RegExp(pattern).test(data),
  });
  return ajv.compile(schema);
}
const validate = slackManifestValidator();
const schemaErrors = (manifest: unknown): string[] =>
  validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

describe.each(['socket', 'http'] as const)('%s manifest', (mode) => {
  const raw = raws[mode];
  const manifest = manifests[mode];

  it("is valid under Slack's app manifest JSON Schema", () => {
    expect(schemaErrors(raw)).toEqual([]);
  });

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

  it('enables the App Home tab and a read-only Messages tab (nothing answers what people type to the bot)', () => {
    const home = manifest.features.app_home;
    expect(home.home_tab_enabled).toBe(true);
    expect(home.messages_tab_enabled).toBe(true);
    expect(home.messages_tab_read_only_enabled).toBe(true);
  });

  it('asks for exactly the bot scopes the code uses, and no user scopes', () => {
    // chat.postMessage/chat.update, the slash command, users.info (a lead's zone), usergroups.users.list,
    // files:write for chart uploads; im:write for conversations.open (a file is shared into a DM by its
    // channel id, which a user id does not stand in for); im:history to read an open round's key back
    // from one of its DMs after a restart (conversations.history). Messages still go to the user id.
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'chat:write',
        'commands',
        'files:write',
        'im:history',
        'im:write',
        'usergroups:read',
        'users:read',
      ].sort(),
    );
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it('subscribes to app_home_opened', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
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

describe('manifest.json (Socket Mode)', () => {
  it('turns Socket Mode on and needs no request URL', () => {
    expect(manifests.socket.settings.socket_mode_enabled).toBe(true);
    expect(requestUrls(manifests.socket).filter((u) => u !== undefined)).toEqual([]);
  });
});

describe('manifest.http.json (HTTP mode)', () => {
  it('turns Socket Mode off and points every request URL at the /slack/events endpoint', () => {
    expect(manifests.http.settings.socket_mode_enabled).toBe(false);
    const urls = requestUrls(manifests.http);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(new URL(url ?? '').pathname).toBe('/slack/events');
    // One placeholder host, the one the README tells the admin to replace.
    expect(new Set(urls.map((u) => new URL(u ?? '').host))).toEqual(new Set(['your-host']));
  });

  it('differs from manifest.json only in the mode and its request URLs', () => {
    const strip = (m: unknown): unknown =>
      JSON.parse(JSON.stringify(m), (key, value) =>
        key === 'request_url' || key === 'url' || key === 'socket_mode_enabled' ? undefined : value,
      );
    expect(strip(raws.http)).toEqual(strip(raws.socket));
  });
});

describe("Slack's manifest schema, as the test applies it", () => {
  it('refuses manifests Slack would refuse', () => {
    /** manifest.json with one value replaced (or removed, for undefined). */
    const changed = (path: string, value: unknown): unknown => {
      const copy = structuredClone(raws.socket) as Record<string, unknown>;
      const keys = path.split('.');
      const last = keys.pop() as string;
      const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
      if (value === undefined) delete parent[last];
      else parent[last] = value;
      return copy;
    };
    expect(schemaErrors(changed('settings.socket_mode_enabled', 'yes'))).not.toEqual([]);
    expect(schemaErrors(changed('features.app_home.messages_tab', true))).not.toEqual([]);
    expect(schemaErrors(changed('features.slash_commands.0.command', 'teamhealth'))).not.toEqual([]);
    expect(schemaErrors(changed('display_information.name', 'x'.repeat(36)))).not.toEqual([]);
    expect(schemaErrors(changed('settings.interactivity.request_url', 'ftp://x'))).not.toEqual([]);
    expect(schemaErrors(changed('display_information.background_color', 'red!'))).not.toEqual([]);
    expect(schemaErrors(changed('display_information', undefined))).not.toEqual([]);
    expect(schemaErrors(changed('display_information.background_color', '#4a154b'))).toEqual([]);
  });
});
