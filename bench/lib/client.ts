import { Agent, request } from 'node:http';
import { signSlackRequest } from '../../tools/signing.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Answer {
  status: number;
  text: string;
}

/** A body with the headers Slack would send it with, signed now (valid for five minutes). */
export interface Signed {
  body: string;
  headers: Record<string, string>;
}

export function sign(
  body: string,
  secret: string,
  contentType = 'application/x-www-form-urlencoded',
): Signed {
  return {
    body,
    headers: {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      ...signSlackRequest(secret, body),
    },
  };
}

/**
 * POSTs a signed body over a kept-alive connection (node:http, lighter on the load generator than fetch,
 * so less of its own time shows up in what is measured).
 */
export function post(url: string, { body, headers }: Signed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a body signed as Slack signs it. */
export const signedPost = (
  url: string,
  body: string,
  secret: string,
  contentType?: string,
): Promise<Answer> => post(url, sign(body, secret, contentType));
