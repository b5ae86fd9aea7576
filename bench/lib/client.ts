import { Agent, request } from 'node:http';
import { signSlackRequest } from '../../tools/signing.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Answer {
  status: number;
  text: string;
}

/**
 * POSTs a body signed as Slack signs it, over a kept-alive connection (node:http, lighter on the load
 * generator than fetch, so less of its own time shows up in what is measured).
 */
export function signedPost(
  url: string,
  body: string,
  secret: string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<Answer> {
  const headers = {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    ...signSlackRequest(secret, body),
  };
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
