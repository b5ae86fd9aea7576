import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, npmStartArgs } from '../../test/support/process.ts';
import { sleep } from './common.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The node flags `npm start` runs the app with (`node <flags> dist/start.cjs`), so the bench measures the
 * app as it is deployed. BENCH_NODE_FLAGS overrides them (to compare).
 */
export function startFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined)
    return process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  return npmStartArgs().filter((w) => w.startsWith('--'));
}

/** The file `npm start` runs (dist/start.cjs). */
function npmStartEntry(): string {
  const entry = npmStartArgs().at(-1);
  if (!entry || entry.startsWith('-')) throw new Error('npm start names no file to run');
  return entry;
}

/** Compiles the app as `npm install` does (`npm run build`), so the bench runs the current sources. */
export function build(): void {
  const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}${res.stderr}`);
}

export interface LoopDelay {
  /** The longest the event loop was blocked since the previous ask (or since the app started listening). */
  maxMs: number;
  p99Ms: number;
}

export interface Memory {
  rss: number;
  peakRss: number;
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
}

export interface Host {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/slack/events` */
  url: string;
  /** The worst event-loop delay since the last call (the probe then starts a new window). */
  loopDelay(): Promise<LoopDelay>;
  memory(): Promise<Memory>;
  /** CPU time the process has used since it started (user and system, every thread), in ms. */
  cpuMs(): Promise<number>;
  /** From now on, the peak RSS counts from the current RSS. */
  resetPeak(): Promise<void>;
  /** SIGTERM, as a service manager stops it; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts an app under test in its own process, the way `npm start` starts it: plain node with the start
 * flags, running the build output — `app` is the entry `npm start` runs, `bare` a Bolt app that only
 * acks (bench/lib/bare.mjs). Both get the bench's probe preloaded (bench/lib/probe.cjs: event-loop delay and
 * memory over IPC). The working directory is `cwd` (not the project, whose .env main.js would read).
 * Resolves once GET /health answers.
 */
export async function startHost(
  mode: 'app' | 'bare',
  env: Record<string, string>,
  cwd: string,
  nodeArgs: string[] = startFlags(),
): Promise<Host> {
  const port = await freePort();
  const entry = mode === 'app' ? join(ROOT, npmStartEntry()) : join(ROOT, 'bench', 'lib', 'bare.mjs');
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--require', join(ROOT, 'bench', 'lib', 'probe.cjs'), entry],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); ; await sleep(20)) {
    if (exited) throw new Error(`bench ${mode} exited at start: ${err}`);
    if (Date.now() - started > 30_000) throw new Error(`bench ${mode} did not answer /health: ${err}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
  }
  let seq = 0;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  child.on('message', (m: { id?: number }) => {
    if (m.id === undefined) return;
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const ask = <T>(probe: string) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`bench ${mode} has exited: ${err}`));
      const id = ++seq;
      waiting.set(id, (v) => resolve(v as T));
      child.send({ probe, id });
    });
  return {
    child,
    url: `${base}/slack/events`,
    loopDelay: () => ask<LoopDelay>('loopDelay'),
    memory: () => ask<Memory>('memory'),
    cpuMs: () => ask<{ ms: number }>('cpu').then((r) => r.ms),
    resetPeak: () => ask<void>('resetPeak'),
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}
