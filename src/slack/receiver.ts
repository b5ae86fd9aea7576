import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, type Receiver, type ReceiverEvent, verifySlackRequest } from '@slack/bolt';
import { errorMessage, type Logger } from '../log.ts';

const MAX_BODY_BYTES = 1024 * 1024;
/** Slack signs with the time of sending: a request more than five minutes off either way is refused. */
const MAX_AGE_SECONDS = 5 * 60;
/** Slack gives up after 3 s; a listener that never acks still gets an empty 200 just before. */
export const ACK_TIMEOUT_MS = 2800;

const INTERACTION_TYPES = new Set([
  'block_actions',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'block_suggestion',
]);

export interface GuardedReceiverOptions {
  signingSecret: string;
  port: number;
  host?: string;
  path?: string;
  log: Logger;
  clock?: () => number;
}

type Parsed =
  | { ok: true; body: Record<string, unknown>; kind: SlackBodyKind }
  | { ok: false; status: number; message: string };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjectArray = (v: unknown): boolean => Array.isArray(v) && v.every(isPlainObject);
const absentOr = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);
const isTextOrObject = (v: unknown): boolean => typeof v === 'string' || isPlainObject(v);

/**
 * Bolt routes a body by the first field it finds (`event`, then `command`, `name`, `actions`…) and reads
 * some fields before any listener runs (`channel.id`, `actions[0]`, `view.app_installed_team_id`,
 * `event.user.id`…): a signed body where one of them is of another type would crash it.
 */
type Routed = 'command' | 'event' | 'interaction';

function fitsBolt(body: Record<string, unknown>, kind: Routed): boolean {
  if (kind === 'command') return body.event === undefined;
  if (kind === 'event') {
    const e = body.event as Record<string, unknown>;
    return (
      absentOr(e.user, isTextOrObject) &&
      absentOr(e.channel, isTextOrObject) &&
      absentOr(e.item, isPlainObject) &&
      absentOr(e.subteam, isPlainObject) &&
      absentOr(body.authorizations, isObjectArray)
    );
  }
  const type = body.type;
  return (
    body.event === undefined &&
    body.command === undefined &&
    (body.name === undefined || type === 'block_suggestion') &&
    (type === 'block_actions'
      ? Array.isArray(body.actions) && body.actions.length > 0 && isObjectArray(body.actions)
      : body.actions === undefined) &&
    absentOr(body.channel, isPlainObject) &&
    (body.team === undefined || body.team === null || isPlainObject(body.team)) &&
    ((type !== 'view_submission' && type !== 'view_closed') || isPlainObject(body.view)) &&
    absentOr(body.response_urls, isObjectArray)
  );
}

/** What a body is, to Bolt: Slack's HTTP handshakes (`ssl_check`, `url_verification`) or something to route. */
export type SlackBodyKind = 'ssl_check' | 'url_verification' | 'command' | 'event' | 'interaction';

/** Accepts only bodies of a shape Slack sends; everything else is a 400, never a crash. */
export function parseSlackBody(raw: string, contentType: string): Parsed {
  let body: unknown;
  try {
    if (contentType.includes('application/json')) body = JSON.parse(raw);
    else {
      const params = new URLSearchParams(raw);
      const payload = params.get('payload');
      body = payload === null ? Object.fromEntries(params) : JSON.parse(payload);
    }
  } catch {
    return { ok: false, status: 400, message: 'body is not valid JSON or form data' };
  }
  return checkSlackBody(body);
}

/** The shape check of a decoded body, shared by the HTTP and the Socket Mode receivers. */
export function checkSlackBody(body: unknown): Parsed {
  const bad = (message: string): Parsed => ({ ok: false, status: 400, message });
  if (!isPlainObject(body)) return bad('body is not an object');
  // Slack checks its certificate with `ssl_check=1`; any other value is no such check.
  if (body.ssl_check === '1') return { ok: true, body, kind: 'ssl_check' };
  if (body.type === 'url_verification') return { ok: true, body, kind: 'url_verification' };
  const kind: Routed | null =
    typeof body.command === 'string' && typeof body.user_id === 'string'
      ? 'command'
      : body.type === 'event_callback' && isPlainObject(body.event) && typeof body.event.type === 'string'
        ? 'event'
        : typeof body.type === 'string' && INTERACTION_TYPES.has(body.type) && isPlainObject(body.user)
          ? 'interaction'
          : null;
  if (kind === null) return bad('not a Slack command, event or interaction');
  if (!fitsBolt(body, kind)) return bad(`the fields of this ${kind} are not of the shape Slack sends`);
  return { ok: true, body, kind };
}

/**
 * Checks Slack's v0 request signature (Bolt's verifySlackRequest) and that the request is at most five
 * minutes old, or ahead, at `nowSeconds`. Bolt reads the timestamp as a number and refuses only old ones,
 * so a timestamp that is not plain digits, or lies more than five minutes ahead, is refused here first.
 */
export function verifySignature(
  secret: string,
  raw: string,
  timestamp: string | undefined,
  signature: string | undefined,
  nowSeconds: number,
): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Number(timestamp) - nowSeconds > MAX_AGE_SECONDS) return false;
  try {
    verifySlackRequest({
      signingSecret: secret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: nowSeconds * 1000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Bolt's own HTTP receiver crashes the process on some correctly signed bodies (`payload=null`):
 * this one verifies, parses and shape-checks every request before Bolt sees it.
 */
export class GuardedHttpReceiver implements Receiver {
  private app: App | undefined;
  private server: Server | undefined;
  private readonly path: string;
  private readonly clock: () => number;

  constructor(private readonly o: GuardedReceiverOptions) {
    this.path = o.path ?? '/slack/events';
    this.clock = o.clock ?? (() => Date.now());
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<Server> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.o.log.error(`receiver: ${errorMessage(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve(server));
    });
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.o.port;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname !== this.path) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    // Over 1 MiB: refused as soon as that is known (the declared length, or the bytes read so far),
    // without reading the rest; the connection is closed behind the answer.
    const declared = Number(req.headers['content-length'] ?? 0);
    const raw = declared > MAX_BODY_BYTES ? null : await readBody(req);
    if (raw === null) {
      res.on('finish', () => req.destroy());
      res.writeHead(413, { connection: 'close' }).end('request body too large');
      return;
    }
    const ok = verifySignature(
      this.o.signingSecret,
      raw,
      header(req, 'x-slack-request-timestamp'),
      header(req, 'x-slack-signature'),
      Math.floor(this.clock() / 1000),
    );
    if (!ok) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid or stale request signature');
      return;
    }
    const parsed = parseSlackBody(raw, header(req, 'content-type') ?? '');
    if (!parsed.ok) {
      res.writeHead(parsed.status, { 'content-type': 'text/plain' }).end(parsed.message);
      return;
    }
    const body = parsed.body;
    if (parsed.kind === 'ssl_check') {
      res.writeHead(200).end();
      return;
    }
    if (parsed.kind === 'url_verification') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ challenge: body.challenge }));
      return;
    }
    await this.dispatch(body, req, res);
  }

  private async dispatch(
    body: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let acked = false;
    const send = (response: unknown): void => {
      if (acked) return;
      acked = true;
      clearTimeout(timer);
      if (response === undefined || response === '') res.writeHead(200).end();
      else if (typeof response === 'string')
        res.writeHead(200, { 'content-type': 'text/plain' }).end(response);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    };
    const timer = setTimeout(() => {
      if (!acked) this.o.log.warn('receiver: no listener acknowledged in time; sent an empty 200');
      send(undefined);
    }, ACK_TIMEOUT_MS);
    const retry = header(req, 'x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => send(response),
      ...(retry !== undefined && /^\d+$/.test(retry) ? { retryNum: Number(retry) } : {}),
      ...(header(req, 'x-slack-retry-reason') ? { retryReason: header(req, 'x-slack-retry-reason') } : {}),
    };
    try {
      await this.app?.processEvent(event);
    } catch (err) {
      // Listener errors go to app.error and end there: what escapes processEvent is Bolt failing on
      // the body itself, before any listener ran. That is a malformed request, not our failure.
      this.o.log.warn(`receiver: a request Bolt could not read: ${errorMessage(err)}`);
      if (!acked) {
        acked = true;
        clearTimeout(timer);
        res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed Slack payload');
      }
    }
    // A listener that matched nothing leaves the request unacknowledged: answer it now.
    send(undefined);
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(c);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
