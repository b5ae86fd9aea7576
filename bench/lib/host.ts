// Runs one app under test in its own process, so the load generator and the fake Slack (in the bench
// process) do not share its event loop. `app`: teamhealth as `npm start` builds it (createServices, HTTP
// receiver); `bare`: a minimal Bolt App with the same receiver whose command listener only acks.
// Talks to the bench over IPC: {id, type, arg} requests, {id, ...} answers.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { App, LogLevel } from '@slack/bolt';
import { parseConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { createServices } from '../../src/services.ts';
import { GuardedHttpReceiver } from '../../src/slack/receiver.ts';
import { leadDigestMessage } from '../../src/usecases/digest.ts';

type Request = {
  id: number;
  type: 'tick' | 'memory' | 'loopDelay' | 'digest' | 'outbox' | 'stop';
  arg?: string;
};

const mode = process.argv[2];
const log: Logger = createLogger('error');
// The longest the event loop was blocked (a stall here delays every acknowledgement).
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

/** Resident set now and at its peak (VmHWM), in bytes, with what V8 holds. */
function memory(): Record<string, number> {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    peakRss: kb('VmHWM') || m.rss,
    rssAnon: kb('RssAnon'),
    rssFile: kb('RssFile'),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
  };
}

const answer = (id: number, body: Record<string, unknown>) => process.send?.({ id, ...body });

function common(m: Request): boolean {
  if (m.type === 'memory') answer(m.id, memory());
  else if (m.type === 'loopDelay') {
    answer(m.id, { maxMs: loopDelay.max / 1e6 });
    loopDelay.reset();
  } else return false;
  return true;
}

async function main(): Promise<void> {
  if (mode === 'bare') {
    const receiver = new GuardedHttpReceiver({
      signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
      port: 0,
      host: '127.0.0.1',
      log,
    });
    const app = new App({
      token: process.env.SLACK_BOT_TOKEN ?? '',
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
    });
    app.command('/teamhealth', async ({ ack }) => {
      await ack();
    });
    await app.start();
    process.on('message', (m: Request) => {
      if (common(m)) return;
      if (m.type === 'stop') void app.stop().finally(() => process.exit(0));
      else answer(m.id, {});
    });
    process.send?.({ type: 'ready', port: receiver.port });
    return;
  }

  const runtime = await createServices(parseConfig(process.env), log);
  const port = await runtime.start();
  process.on('message', (m: Request) => {
    if (common(m)) return;
    if (m.type === 'tick') {
      const started = performance.now();
      runtime.tick(new Date());
      answer(m.id, { ms: performance.now() - started });
    } else if (m.type === 'digest') {
      // Building a lead's digest as the app does (every team's history, flags, Block Kit), timed here.
      const started = performance.now();
      const message = leadDigestMessage(runtime.services, m.arg ?? '');
      answer(m.id, { ms: performance.now() - started, blocks: message.blocks.length });
    } else if (m.type === 'outbox') answer(m.id, { ...runtime.services.outbox.counts() });
    else if (m.type === 'stop') void runtime.stop().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', port });
}

main().catch((err) => {
  process.stderr.write(`bench host (${mode}): ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
