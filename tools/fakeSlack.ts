// A fake Slack Web API on 127.0.0.1 for integration tests: answers the methods the app calls with
// realistic shapes, records every call, and fails or rate-limits on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Failure =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 }
  | { error: string }
  | { delayMs: number }
  /** Answered normally once this settles: a call held in flight for exactly as long as a test needs. */
  | { until: Promise<unknown> };
type Injected = Exclude<Failure, { delayMs: number } | { until: Promise<unknown> }>;

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  /** Bearer token or `token` field, if any. */
  token?: string;
  /** Set when the call was not answered `ok: true` (injected failure, rate limit, or error). */
  failed?: true;
  /** HTTP status when it was not 200. */
  status?: number;
  /** The `error` of an `ok: false` answer. */
  error?: string;
  /** For `response_url` calls: the id in `/respond/<id>`. */
  responseUrlId?: string;
}

export interface RateLimits {
  perMethodPerMinute?: Record<string, number>;
  postMessagePerChannelPerSecond?: number;
  postMessageWorkspacePerMinute?: number;
  /** The workspace budget over a one-second window, for a scaled-down run (the bench). */
  postMessageWorkspacePerSecond?: number;
}

export interface FakeSlackOptions {
  usergroups?: Record<string, string[]>;
  userTimezones?: Record<string, string>;
  rateLimits?: RateLimits;
  /** Every Web API call is answered this many milliseconds after it was received (recorded at once). */
  latencyMs?: number;
  /** Called as each call (Web API or response_url) is received and recorded, before it is answered. */
  onCall?: (call: RecordedCall) => void;
  /**
   * The time rate limits are counted in and calls are stamped with (default: the system clock). A test
   * that runs its client on a virtual clock passes the same clock here.
   */
  clock?: () => number;
  /** A fresh `ws://` URL of a fake Socket Mode server (tools/fakeSocketMode.ts), for apps.connections.open. */
  socketModeUrl?: () => string;
}

/** A file shared with files.completeUploadExternal, with what each step of the upload said about it. */
export interface UploadedFile {
  id: string;
  filename: string;
  /** The `alt_txt` given to files.getUploadURLExternal. */
  altTxt: string | undefined;
  title: string | undefined;
  /** The `channel_id` it was shared into. */
  channelId: string | undefined;
  /** The bytes POSTed to the upload URL. */
  bytes: Buffer;
  at: number;
}

export interface FakeSlack {
  /** Web API base URL for `slackApiUrl`, ending in `/api/`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  calls: RecordedCall[];
  /** Calls answered 429 by `opts.rateLimits` enforcement (not by `failNext`). */
  readonly rateLimited: number;
  responseUrl(id?: string): string;
  callsTo(method: string): RecordedCall[];
  /** Successful chat.postMessage calls to the user (channel `U…` or `D` + user). */
  dmsTo(userId: string): RecordedCall[];
  /** Files completed with files.completeUploadExternal, in order (the bytes POSTed to their upload URL). */
  files: UploadedFile[];
  /** Back to a fresh fake: calls, counters, rate windows, programmed failures. Options are kept. */
  reset(): void;
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<RecordedCall[]>;
  failNext(method: string, failure: Failure, times?: number): void;
  /** The next call to `method` is recorded at once but answered only when the returned function is called. */
  hold(method: string): () => void;
  failForChannel(userOrChannelId: string, error: string): void;
  /** Changes the per-call latency of Web API calls from now on. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const TEAM_ID = 'T1';
const BOT_USER_ID = 'UBOT';
const BOT_ID = 'BBOT';
const APP_ID = 'A1';
// @slack/web-api JSON-encodes every non-primitive argument in its form bodies; these are the ones
// Slack methods take as objects, so decode them back for assertions.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files']);
// Slack refuses longer alt texts (files.getUploadURLExternal).
const ALT_TXT_MAX = 1000;
// Slack lets a response_url be used five times (within 30 minutes).
const RESPONSE_URL_USES = 5;

/** A user id becomes its stable DM id (`U1` → `DU1`); other channel ids are kept. */
const dmChannel = (channel: string): string => (/^[UW]/.test(channel) ? `D${channel}` : channel);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = JSON_FIELDS.has(key) ? tryJson(value) : value;
  }
  return body;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Sliding-window log: at most `limit` hits per `windowMs`. */
class Window {
  private hits: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  /** Milliseconds until a slot frees, or 0 if one is free now. */
  waitMs(now: number): number {
    while (this.hits.length > 0 && (this.hits[0] ?? 0) <= now - this.windowMs) this.hits.shift();
    if (this.hits.length < this.limit) return 0;
    return (this.hits[0] ?? now) + this.windowMs - now;
  }
  take(now: number): void {
    this.hits.push(now);
  }
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const pending = new Map<string, Failure[]>();
  const channelFailures = new Map<string, string>();
  const windows = new Map<string, Window>();
  const usedTriggers = new Set<string>();
  const responseUrlUses = new Map<string, number>();
  const clock = opts.clock ?? Date.now;
  // The external upload flow: a file exists from getUploadURLExternal, has bytes once POSTed, and is
  // shared (and listed in `files`) once completeUploadExternal names it.
  const uploads = new Map<string, { filename: string; length: number; altTxt?: string; bytes?: Buffer }>();
  const files: UploadedFile[] = [];
  let fileSeq = 0;
  let rateLimited = 0;
  let latencyMs = opts.latencyMs ?? 0;
  let seq = 0;
  let viewSeq = 0;
  /** Every message posted, as Slack keeps it (updated by chat.update), by `channel|ts`. */
  const messages = new Map<string, Record<string, unknown>>();

  const nextTs = () => {
    seq += 1;
    return `${1700000000 + Math.floor(seq / 1e6)}.${String(seq % 1e6).padStart(6, '0')}`;
  };

  const windowFor = (key: string, limit: number, windowMs: number): Window => {
    let w = windows.get(key);
    if (!w) {
      w = new Window(limit, windowMs);
      windows.set(key, w);
    }
    return w;
  };

  /** The budgets this call draws on, per `opts.rateLimits`. */
  const budgets = (method: string, body: Record<string, unknown>): Window[] => {
    const limits = opts.rateLimits;
    if (!limits) return [];
    const out: Window[] = [];
    const perMethod = limits.perMethodPerMinute?.[method];
    if (perMethod !== undefined) out.push(windowFor(`m:${method}`, perMethod, 60_000));
    if (method === 'chat.postMessage') {
      const channel = dmChannel(String(body.channel ?? ''));
      if (limits.postMessagePerChannelPerSecond !== undefined) {
        out.push(windowFor(`c:${channel}`, limits.postMessagePerChannelPerSecond, 1000));
      }
      if (limits.postMessageWorkspacePerMinute !== undefined) {
        out.push(windowFor('w:postMessage', limits.postMessageWorkspacePerMinute, 60_000));
      }
      if (limits.postMessageWorkspacePerSecond !== undefined) {
        out.push(windowFor('ws:postMessage', limits.postMessageWorkspacePerSecond, 1000));
      }
    }
    return out;
  };

  const ratelimitedAnswer = (retryAfterSec: number): Answer => ({
    status: 429,
    body: { ok: false, error: 'ratelimited' },
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSec))) },
  });

  /** The next programmed failure for `method`; a delay is served here and then answers normally. */
  const nextFailure = async (method: string): Promise<Injected | undefined> => {
    const failure = pending.get(method)?.shift();
    if (failure && 'delayMs' in failure) {
      await sleep(failure.delayMs);
      return undefined;
    }
    if (failure && 'until' in failure) {
      await failure.until.catch(() => {});
      return undefined;
    }
    return failure;
  };

  const injected = (failure: Injected): Answer => {
    if ('error' in failure) return { status: 200, body: { ok: false, error: failure.error } };
    if (failure.status === 429) return ratelimitedAnswer(failure.retryAfter);
    return { status: failure.status, body: 'Internal Server Error' };
  };

  /** Users (or DM channels) a call is addressed to, for `failForChannel`. */
  const targets = (method: string, body: Record<string, unknown>): string[] => {
    if (method === 'chat.postMessage') return [dmChannel(String(body.channel ?? ''))];
    if (method === 'conversations.open') {
      const users = String(body.users ?? body.channel ?? '');
      return users.split(',').filter(Boolean).map(dmChannel);
    }
    if (method === 'files.completeUploadExternal') return [String(body.channel_id ?? '')];
    return [];
  };

  const handlers: Record<
    string,
    (body: Record<string, unknown>, token: string | undefined) => Record<string, unknown>
  > = {
    'auth.test': () => ({
      url: 'https://teamhealth-test.slack.com/',
      team: 'Teamhealth Test',
      user: 'teamhealth',
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),
    'apps.connections.open': (_body, token) => {
      if (!opts.socketModeUrl) return { ok: false, error: 'unknown_method' };
      // As on Slack, only an app-level token opens a Socket Mode connection.
      if (!token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
      return { url: opts.socketModeUrl() };
    },
    'chat.postMessage': (body) => {
      const ts = nextTs();
      const channel = dmChannel(String(body.channel ?? ''));
      const message = {
        type: 'message',
        user: BOT_USER_ID,
        bot_id: BOT_ID,
        app_id: APP_ID,
        team: TEAM_ID,
        text: body.text ?? '',
        ts,
        ...(body.blocks !== undefined && { blocks: body.blocks }),
        ...(body.thread_ts !== undefined && { thread_ts: body.thread_ts }),
      };
      messages.set(`${channel}|${ts}`, message);
      return { channel, ts, message };
    },
    'chat.update': (body) => {
      const kept = messages.get(`${String(body.channel)}|${String(body.ts)}`);
      if (kept) {
        kept.text = body.text ?? '';
        if (body.blocks !== undefined) kept.blocks = body.blocks;
      }
      return {
        channel: body.channel,
        ts: body.ts,
        text: body.text ?? '',
        message: { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, text: body.text ?? '' },
      };
    },
    // The one message at `latest` when asked for it inclusively, as the app reads a DM of its own back.
    'conversations.history': (body) => {
      const kept = messages.get(`${String(body.channel)}|${String(body.latest)}`);
      return { messages: kept && String(body.inclusive) === 'true' ? [kept] : [], has_more: false };
    },
    'chat.postEphemeral': () => ({ message_ts: nextTs() }),
    'conversations.open': (body) => {
      const users = String(body.users ?? '')
        .split(',')
        .filter(Boolean);
      const id = users.length === 1 ? `D${users[0]}` : String(body.channel ?? `G${users.join('')}`);
      return { channel: { id } };
    },
    'files.getUploadURLExternal': (body) => {
      const length = Number(body.length);
      if (typeof body.filename !== 'string' || body.filename === '' || !(length > 0)) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const altTxt = typeof body.alt_txt === 'string' ? body.alt_txt : undefined;
      if (altTxt !== undefined && altTxt.length > ALT_TXT_MAX)
        return { ok: false, error: 'alt_txt_too_large' };
      fileSeq += 1;
      const id = `F${String(fileSeq).padStart(8, '0')}`;
      uploads.set(id, { filename: body.filename, length, ...(altTxt !== undefined && { altTxt }) });
      return { upload_url: `${origin}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (body) => {
      const wanted = Array.isArray(body.files)
        ? (body.files as Array<{ id?: unknown; title?: unknown }>)
        : [];
      if (wanted.length === 0) return { ok: false, error: 'invalid_arguments' };
      // As on Slack: only files whose bytes arrived can be completed, and each only once.
      if (wanted.some((f) => !uploads.get(String(f.id))?.bytes))
        return { ok: false, error: 'file_not_found' };
      const channelId = typeof body.channel_id === 'string' ? body.channel_id : undefined;
      const done = wanted.map((f) => {
        const id = String(f.id);
        const u = uploads.get(id) as { filename: string; altTxt?: string; bytes: Buffer };
        uploads.delete(id);
        const file: UploadedFile = {
          id,
          filename: u.filename,
          altTxt: u.altTxt,
          title: typeof f.title === 'string' ? f.title : undefined,
          channelId,
          bytes: u.bytes,
          at: clock(),
        };
        files.push(file);
        return file;
      });
      return { files: done.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename })) };
    },
    'views.open': (body) => viewAnswer(body, true),
    'views.push': (body) => viewAnswer(body, true),
    'views.update': (body) => viewAnswer(body, false),
    'views.publish': (body) => viewAnswer(body, false),
    'usergroups.users.list': (body) => {
      const users = opts.usergroups?.[String(body.usergroup ?? '')];
      return users ? { users: [...users] } : { ok: false, error: 'no_such_subteam' };
    },
    'users.info': (body) => {
      const id = String(body.user ?? '');
      return {
        user: {
          id,
          team_id: TEAM_ID,
          name: id.toLowerCase(),
          tz: opts.userTimezones?.[id] ?? 'UTC',
          deleted: false,
          is_bot: false,
        },
      };
    },
  };

  function viewAnswer(body: Record<string, unknown>, needsTrigger: boolean): Record<string, unknown> {
    if (needsTrigger) {
      const trigger = body.trigger_id;
      if (typeof trigger !== 'string' || trigger === '') return { ok: false, error: 'invalid_arguments' };
      // Slack's trigger_id is single-use; surface a reuse as Slack would.
      if (usedTriggers.has(trigger)) return { ok: false, error: 'exchanged_trigger_id' };
      usedTriggers.add(trigger);
    }
    const view = (body.view ?? {}) as Record<string, unknown>;
    viewSeq += 1;
    const id = typeof body.view_id === 'string' ? body.view_id : `V${String(viewSeq).padStart(6, '0')}`;
    return {
      view: {
        ...view,
        id,
        team_id: TEAM_ID,
        app_id: APP_ID,
        bot_id: BOT_ID,
        state: { values: {} },
        hash: `${Date.now()}.${viewSeq}`,
        private_metadata: view.private_metadata ?? '',
        callback_id: view.callback_id ?? '',
        root_view_id: id,
        previous_view_id: null,
      },
    };
  }

  async function answerApi(
    method: string,
    call: RecordedCall,
    body: Record<string, unknown>,
  ): Promise<Answer> {
    if (latencyMs > 0) await sleep(latencyMs);
    const failure = await nextFailure(method);
    if (failure) return injected(failure);

    if (!call.token) return { status: 200, body: { ok: false, error: 'not_authed' } };

    const now = clock();
    const budget = budgets(method, body);
    const waitMs = Math.max(0, ...budget.map((w) => w.waitMs(now)));
    if (waitMs > 0) {
      rateLimited += 1;
      return ratelimitedAnswer(waitMs / 1000);
    }
    for (const w of budget) w.take(now);

    for (const target of targets(method, body)) {
      const error = channelFailures.get(target);
      if (error) return { status: 200, body: { ok: false, error } };
    }

    const handler = handlers[method];
    if (!handler) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    return { status: 200, body: { ok: true, ...handler(body, call.token) } };
  }

  async function answerResponseUrl(id: string): Promise<Answer> {
    const failure = await nextFailure('response_url');
    // Bolt's respond() only notices non-2xx, so an injected `error` answers 404 with that text.
    if (failure && 'error' in failure) return { status: 404, body: failure.error };
    if (failure) return injected(failure);
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    if (uses > RESPONSE_URL_USES) return { status: 404, body: 'used_url' };
    return { status: 200, body: 'ok' };
  }

  /** The POST of a file's bytes to the URL files.getUploadURLExternal gave (recorded as `file_upload`). */
  async function handleUpload(id: string, req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const call: RecordedCall = {
      method: 'file_upload',
      body: { file_id: id, length: bytes.length },
      at: clock(),
    };
    calls.push(call);
    opts.onCall?.(call);
    const failure = await nextFailure('file_upload');
    const upload = uploads.get(id);
    // An injected `error` answers 400, as the upload host does for a request it will not take.
    const status = failure ? ('status' in failure ? failure.status : 400) : upload ? 200 : 404;
    if (status === 200 && upload) upload.bytes = bytes;
    else {
      call.failed = true;
      call.status = status;
    }
    res
      .writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      .end(status === 200 ? `OK - ${bytes.length}` : 'failed');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const upload = /^\/upload\/(F\w+)$/.exec(path);
    if (upload?.[1] && req.method === 'POST') {
      await handleUpload(upload[1], req, res);
      return;
    }
    const api = /^\/api\/([\w.]+)$/.exec(path);
    const respond = /^\/respond\/([^/]+)$/.exec(path);
    if (!api?.[1] && !respond?.[1]) {
      res.writeHead(404).end('not_found');
      return;
    }
    const at = clock();
    const body = await readBody(req);
    const call: RecordedCall = api?.[1]
      ? { method: api[1], body, at }
      : { method: 'response_url', body, at, responseUrlId: decodeURIComponent(respond?.[1] ?? '') };
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = auth ?? (typeof body.token === 'string' ? body.token : undefined);
    if (token) call.token = token;
    calls.push(call);
    opts.onCall?.(call);

    const answer = api?.[1]
      ? await answerApi(api[1], call, body)
      : await answerResponseUrl(call.responseUrlId ?? '');
    if (answer.status !== 200) call.status = answer.status;
    const json =
      typeof answer.body === 'object' ? (answer.body as { ok?: boolean; error?: string }) : undefined;
    if (answer.status !== 200 || json?.ok === false) call.failed = true;
    if (json?.error) call.error = json.error;

    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const contentType = json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
    res.writeHead(answer.status, { 'content-type': contentType, ...answer.headers }).end(text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`fake slack: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  function failNext(method: string, failure: Failure, times = 1): void {
    const queue = pending.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    pending.set(method, queue);
  }

  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let responseUrlSeq = 0;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    files,
    get rateLimited() {
      return rateLimited;
    },
    responseUrl(id) {
      responseUrlSeq += 1;
      return `${origin}/respond/${encodeURIComponent(id ?? `r${responseUrlSeq}`)}`;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    dmsTo: (userId) =>
      calls.filter(
        (c) =>
          c.method === 'chat.postMessage' && !c.failed && dmChannel(String(c.body.channel)) === `D${userId}`,
      ),
    reset() {
      calls.length = 0;
      files.length = 0;
      uploads.clear();
      pending.clear();
      channelFailures.clear();
      windows.clear();
      usedTriggers.clear();
      responseUrlUses.clear();
      rateLimited = 0;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) {
          const counts = new Map<string, number>();
          for (const c of calls) {
            const key = c.failed ? `${c.method} (failed)` : c.method;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          const summary = [...counts].map(([m, n]) => `${m} x${n}`).join(', ') || 'none';
          throw new Error(`fakeSlack.waitFor timed out after ${timeoutMs} ms; recorded calls: ${summary}`);
        }
        await sleep(10);
      }
      return calls;
    },
    failNext,
    hold(method) {
      let release = (): void => {};
      const until = new Promise<void>((resolve) => {
        release = resolve;
      });
      failNext(method, { until });
      return release;
    },
    failForChannel(userOrChannelId, error) {
      channelFailures.set(dmChannel(userOrChannelId), error);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
