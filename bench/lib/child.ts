import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The node flags `npm start` runs the app with (`tsx <flags> src/main.ts`), so the bench measures the
 * app as it is deployed. BENCH_NODE_FLAGS overrides them (to compare).
 */
export function startFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined)
    return process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  return words.slice(words.indexOf('tsx') + 1).filter((w) => w.startsWith('--'));
}

export interface Host {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/slack/events` */
  url: string;
  request<T extends Record<string, unknown>>(type: string, arg?: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts bench/lib/host.ts (`app` or `bare`) in its own node process and waits until it listens. */
export async function startHost(
  mode: 'app' | 'bare',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Host> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/lib/host.ts', mode], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let seq = 0;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench host (${mode}) exited ${code}: ${err}`)));
    child.on('message', (m: { id?: number; type?: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port as number);
      else if (m.id !== undefined) {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', (code) => {
    if (code !== 0 && waiting.size > 0) process.stderr.write(`bench host (${mode}) exited ${code}: ${err}\n`);
  });
  return {
    child,
    url: `http://127.0.0.1:${port}/slack/events`,
    request: <T extends Record<string, unknown>>(type: string, arg?: string) =>
      new Promise<T>((resolve) => {
        const id = ++seq;
        waiting.set(id, (v) => resolve(v as T));
        child.send({ id, type, arg });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ id: ++seq, type: 'stop' });
      }),
  };
}
