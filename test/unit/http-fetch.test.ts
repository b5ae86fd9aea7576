import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/slack/httpFetch.ts';

let server: Server;
let base: string;
/** What the server received last. */
let last: { method?: string; url?: string; headers: IncomingMessage['headers']; body: Buffer };
/** Requests to /hang are answered only when the test releases them. */
const hanging: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      if (req.url === '/limited') {
        res.writeHead(429, { 'retry-after': '7' }).end();
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' }).end('moved');
      } else if (req.url === '/hang') {
        hanging.push(() => res.end('late'));
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-two': ['a', 'b'] }).end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const answer of hanging) answer();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('httpFetch', () => {
  it('posts a form body with its headers and reads the answer as the Slack SDK does', async () => {
    const res = await httpFetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-1' },
      body: 'channel=U1&text=h%C3%A9',
      redirect: 'error',
    });
    expect(last).toMatchObject({ method: 'POST', url: '/api/chat.postMessage' });
    expect(last.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Bearer xoxb-1',
      'content-length': String(Buffer.byteLength('channel=U1&text=h%C3%A9')),
    });
    expect(last.body.toString()).toBe('channel=U1&text=h%C3%A9');
    expect([res.ok, res.status, res.statusText, res.url]).toEqual([
      true,
      200,
      'OK',
      `${base}/api/chat.postMessage`,
    ]);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('x-two')).toBe('a, b');
    expect(res.headers.get('x-none')).toBeNull();
    expect(Object.fromEntries(res.headers.entries())).toMatchObject({ 'content-type': 'application/json' });
    expect(await res.json()).toEqual({ ok: true });
  });

  it('sends bytes as they are (a chart) and gives the answer back as bytes', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const res = await httpFetch(new URL(`${base}/upload`), { method: 'POST', body: png });
    expect(last.body).toEqual(png);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('{"ok":true}');
  });

  it('answers a 429 with its Retry-After, and a redirect as it is, without following it', async () => {
    const limited = await httpFetch(`${base}/limited`, { method: 'POST', body: '' });
    expect([limited.ok, limited.status, limited.headers.get('retry-after')]).toEqual([false, 429, '7']);
    const moved = await httpFetch(`${base}/moved`, { redirect: 'error' });
    expect([moved.status, await moved.text()]).toEqual([302, 'moved']);
    expect(last.url).toBe('/moved');
  });

  it('gives up when its signal aborts (the SDK’s timeout), with the signal’s reason', async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${base}/hang`, { method: 'POST', body: 'x', signal: controller.signal });
    const reason = new Error('TimeoutError: the call took too long');
    await new Promise<void>((resolve) => {
      const wait = () => (hanging.length > 0 ? resolve() : setImmediate(wait));
      wait();
    });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(httpFetch(`${base}/`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('refuses a multipart body rather than sending something else', async () => {
    const form = new FormData();
    form.append('file', 'x');
    await expect(httpFetch(`${base}/`, { method: 'POST', body: form })).rejects.toThrow('multipart');
  });
});
