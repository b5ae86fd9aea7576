// Requests into the app, signed and shaped as Slack sends them, so signature checks run for real.
import { createHmac, randomBytes } from 'node:crypto';

export const TEAM_ID = 'T1';
export const TEAM_DOMAIN = 'teamhealth-test';
export const API_APP_ID = 'A1';
/** Legacy verification token Slack still includes in payloads; Bolt ignores it. */
export const VERIFICATION_TOKEN = 'legacy-verification-token';
// Where respond() goes when a test gave no responseUrl: a closed local port, so it fails loudly
// instead of reaching hooks.slack.com.
const NOWHERE = 'http://127.0.0.1:9/respond/none';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
  [header: string]: string;
}

export function signSlackRequest(
  secret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const hmac = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${hmac}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

let triggerSeq = 0;
/** A fresh trigger id in Slack's format (`<digits>.<digits>.<hex>`); the fake rejects reused ones. */
export function newTriggerId(): string {
  triggerSeq += 1;
  return `${Date.now()}${triggerSeq}.47445629121.${randomBytes(16).toString('hex')}`;
}

const slackUser = (userId: string, teamId: string) => ({
  id: userId,
  username: userId.toLowerCase(),
  name: userId.toLowerCase(),
  team_id: teamId,
});

export interface SlashCommandOptions {
  text: string;
  userId: string;
  command?: string;
  responseUrl: string;
  triggerId?: string;
  teamId?: string;
  channelId?: string;
}

/** The urlencoded body of a slash command, fields in the order Slack sends them. */
export function slashCommandBody({
  text,
  userId,
  command = '/teamhealth',
  responseUrl,
  triggerId = newTriggerId(),
  teamId = TEAM_ID,
  channelId = 'C1',
}: SlashCommandOptions): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: channelId,
    channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command,
    text,
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
}

/** The urlencoded body of an interaction: `payload=<JSON>`. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface BlockActionOptions {
  userId: string;
  actionId: string;
  value?: string;
  blockId?: string;
  triggerId?: string;
  /** Defaults to the user's DM channel (`D` + user id), as for a button in a DM. */
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
  teamId?: string;
  /** When the action happened inside a modal: the view it came from (container becomes the view). */
  view?: Record<string, unknown>;
}

export function blockActionPayload({
  userId,
  actionId,
  value,
  blockId = 'block',
  triggerId = newTriggerId(),
  channelId = `D${userId}`,
  messageTs = '1700000000.000100',
  responseUrl = NOWHERE,
  teamId = TEAM_ID,
  view,
}: BlockActionOptions): Record<string, unknown> {
  const action = {
    type: 'button',
    action_id: actionId,
    block_id: blockId,
    text: { type: 'plain_text', text: 'Button', emoji: true },
    ...(value !== undefined && { value }),
    action_ts: `${Math.floor(Date.now() / 1000)}.000000`,
  };
  const base = {
    type: 'block_actions',
    user: slackUser(userId, teamId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId,
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    state: { values: {} },
    actions: [action],
  };
  if (view) {
    return { ...base, container: { type: 'view', view_id: view.id }, view };
  }
  return {
    ...base,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    channel: { id: channelId, name: channelId.startsWith('D') ? 'directmessage' : 'general' },
    message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: '', ts: messageTs },
    response_url: responseUrl,
  };
}

export interface ViewSubmissionOptions {
  userId: string;
  callbackId: string;
  privateMetadata: string;
  /** `state.values`: block id → action id → element state, e.g. `{ type: 'radio_buttons', selected_option }`. */
  values: Record<string, Record<string, object>>;
  viewId?: string;
  triggerId?: string;
  teamId?: string;
  blocks?: unknown[];
}

export function viewSubmissionPayload({
  userId,
  callbackId,
  privateMetadata,
  values,
  viewId = 'V000001',
  triggerId = newTriggerId(),
  teamId = TEAM_ID,
  blocks = [],
}: ViewSubmissionOptions): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: teamId, domain: TEAM_DOMAIN },
    user: slackUser(userId, teamId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId,
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal',
      blocks,
      private_metadata: privateMetadata,
      callback_id: callbackId,
      state: { values },
      hash: `${Math.floor(Date.now() / 1000)}.abcdef12`,
      title: { type: 'plain_text', text: 'Team health', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: API_APP_ID,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export interface PostSignedOptions {
  /** Signing secret; `null` sends the request unsigned. */
  secret: string | null;
  contentType?: string;
  timestamp?: number;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  text: string;
  json?: unknown;
}

export async function postSigned(
  url: string,
  rawBody: string,
  { secret, contentType = 'application/x-www-form-urlencoded', timestamp, headers = {} }: PostSignedOptions,
): Promise<PostResult> {
  const signature = secret === null ? {} : signSlackRequest(secret, rawBody, timestamp);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signature, ...headers },
    body: rawBody,
  });
  const text = await res.text();
  try {
    return { status: res.status, text, json: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { status: res.status, text };
  }
}
