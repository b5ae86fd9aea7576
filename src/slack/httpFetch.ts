import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What a request may carry: the Slack SDK's bodies (a form or JSON string) and a chart's bytes. */
export interface HttpFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
  redirect?: 'error' | 'follow' | 'manual';
  signal?: AbortSignal;
}

/** The answer, as much of a fetch Response as the callers read (the Slack SDK's own `FetchResponse`). */
export interface HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null; entries(): Iterable<[string, string]> };
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

export type HttpFetch = (url: string | URL, init?: HttpFetchInit) => Promise<HttpResponse>;

// Keep-alive connections, as fetch keeps them: the outbox sends one call after another to the same host.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * The `fetch` of the Slack Web API client, of Bolt's `respond()` and of the chart upload, on node:http and
 * node:https. Node's own fetch (undici) parses HTTP with llhttp compiled to WebAssembly, and compiling it
 * at the first request costs 25–35 MB of memory for a moment — the app's peak, at start; node's own HTTP
 * parser is native and costs nothing to start. It does what those callers need: a request with a string
 * or bytes as its body, headers, an AbortSignal (a timeout); the whole answer read into memory; redirects
 * are not followed (the SDK asks for `redirect: 'error'`; a 3xx comes back as it is, and is not a 200).
 */
export const httpFetch: HttpFetch = (url, init = {}) =>
  new Promise((resolve, reject) => {
    const target = typeof url === 'string' ? new URL(url) : url;
    const { signal } = init;
    if (typeof init.body === 'object' && !(init.body instanceof Uint8Array)) {
      reject(new Error('httpFetch sends no multipart bodies'));
      return;
    }
    const body = init.body;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const secure = target.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(target, {
      method: init.method ?? 'GET',
      headers: {
        ...init.headers,
        ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }),
      },
      agent: secure ? agents.https : agents.http,
    });
    const abort = (): void => {
      req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    const done = () => signal?.removeEventListener('abort', abort);
    req.on('error', (error) => {
      done();
      reject(signal?.aborted ? signal.reason : error);
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        done();
        reject(error);
      });
      res.on('end', () => {
        done();
        resolve(answer(target.href, res, Buffer.concat(chunks)));
      });
    });
    req.end(body);
  });

/** The answer as the callers read it: status, headers and the body (read once, as any of three). */
function answer(url: string, res: IncomingMessage, bytes: Buffer): HttpResponse {
  const status = res.statusCode ?? 0;
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const text = () => bytes.toString('utf8');
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: res.statusMessage ?? '',
    url,
    headers: {
      get: (name: string) => headers.get(name.toLowerCase()) ?? null,
      entries: () => headers.entries(),
    },
    arrayBuffer: async () => new Uint8Array(bytes).buffer,
    text: async () => text(),
    json: async () => JSON.parse(text()) as unknown,
  };
}
