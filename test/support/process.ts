import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A free loopback port, for a child process that must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * The arguments `npm start` gives node (`node <flags> dist/start.cjs`), read from package.json, so a test
 * starts the app exactly as it is deployed. Throws if `start` is not a plain `node` command.
 */
export function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start is not a plain node command: ${pkg.scripts.start}`);
  return args;
}

/**
 * Runs the app in a single node process, so a signal — SIGKILL above all — reaches the app itself.
 * `source` (the default): src/main.ts through the tsx loader, so the tests exercise the sources as they
 * are. `compiled`: the build output as `npm start` runs it (plain node, its flags; test/support/build.ts
 * makes sure dist/ is built from the current sources).
 */
export function startProcess(
  env: Record<string, string>,
  from: 'source' | 'compiled' = 'source',
): AppProcess {
  const args = from === 'source' ? ['--import', 'tsx', 'src/main.ts'] : npmStartArgs();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    output: () => out,
    async waitForOutput(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `process exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${out}`,
          );
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exit: () => exited,
  };
}
