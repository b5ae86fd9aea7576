import { CHART_UPLOAD, type ChartFile } from '../usecases/charts.ts';
import type { SlackApi } from './outbox.ts';

export interface ChartUploadOptions {
  /** Draws the chart a queued upload asks for; null when there is nothing to draw any more. */
  chart: (payload: Record<string, unknown>) => Promise<ChartFile | null>;
  /** How long the upload of the bytes may take. */
  timeoutMs: number;
  /** Sends the bytes (default: the global fetch; the app passes node's http, see slack/httpFetch.ts). */
  fetch?: (
    url: string,
    init: { method: string; headers: Record<string, string>; body: Uint8Array; signal: AbortSignal },
  ) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/**
 * The outbox's Slack, plus one method of our own: CHART_UPLOAD, a chart put into a DM with Slack's
 * external upload (files.getUploadURLExternal → POST of the bytes → files.completeUploadExternal).
 * Every step's failure surfaces as the outbox knows it (Slack's errors and 429s as the WebClient throws
 * them), so an upload is retried, paused and given up on like any other delivery. A retry starts over:
 * a file Slack was never told to complete is dropped by Slack and shows nowhere.
 */
export function withChartUploads(slack: SlackApi, o: ChartUploadOptions): SlackApi {
  const send = o.fetch ?? fetch;
  // Slack needs the DM's channel id to share a file into (a user id will not do): asked once per person.
  const dms = new Map<string, string>();

  const dmOf = async (userId: string): Promise<string> => {
    const known = dms.get(userId);
    if (known) return known;
    const res = await slack.apiCall('conversations.open', { users: userId });
    const id = (res.channel as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new Error('conversations.open answered without a channel id');
    dms.set(userId, id);
    return id;
  };

  const upload = async (payload: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const file = await o.chart(payload);
    if (!file) return { ok: true, skipped: 'nothing to chart' };
    const channel = await dmOf(file.userId);
    const target = await slack.apiCall('files.getUploadURLExternal', {
      filename: file.filename,
      length: file.png.length,
      // Slack's own name for it (the SDK's filesUploadV2 sends `alt_text`, which this method ignores).
      alt_txt: file.altText,
    });
    const { upload_url: url, file_id: id } = target;
    if (typeof url !== 'string' || typeof id !== 'string') {
      throw new Error('files.getUploadURLExternal answered without an upload_url and file_id');
    }
    // The URL is Slack's and already authorises this one file: the bot token is not sent with it.
    const res = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: file.png,
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`uploading the chart answered HTTP ${res.status}`);
    return slack.apiCall('files.completeUploadExternal', {
      files: [{ id, title: file.title }],
      channel_id: channel,
    });
  };

  return {
    apiCall: (method, args = {}) => (method === CHART_UPLOAD ? upload(args) : slack.apiCall(method, args)),
  };
}
