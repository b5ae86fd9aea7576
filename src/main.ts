import dotenv from 'dotenv';
import cron from 'node-cron';
import { ConfigError, parseConfig } from './config.ts';
import { errorMessage } from './log.ts';
import { createServices } from './services.ts';
import { StartupError } from './slack/startup.ts';

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `teamhealth: configuration error: ${err.message} (set it in .env or the environment)\n`,
      );
      process.exit(1);
    }
    throw err;
  }
  // Slack checks the tokens before anything else opens, listens or ticks (StartupError below).
  const runtime = await createServices(config);
  const { log } = runtime.services;
  const port = await runtime.start();
  log.info(
    port === null
      ? 'teamhealth is running in Socket Mode'
      : `teamhealth is listening on port ${port} at /slack/events`,
  );

  // A stray rejection somewhere in a library must not take the bot down (Node 20 would exit).
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection: ${errorMessage(reason)}`);
  });

  // The cron is a bare tick: everything due is derived from the clock and the database. The tick at
  // start catches up what fell due while the process was down (rounds inside their window, digests).
  const task = cron.schedule('* * * * *', () => runtime.tickInSlices(new Date()));
  void runtime.tickInSlices(new Date());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing the delivery in flight and closing the database`);
    await task.stop();
    // Everything durable is in SQLite (crash-safe), so even a forced stop is a clean one: exit 0 within 10 s.
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting now');
      process.exit(0);
    }, 9500);
    force.unref();
    // The delivery in flight gets up to 7 s to finish; past that it is sent again at the next start.
    await runtime.stop();
    log.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof StartupError) {
    process.stderr.write(`teamhealth: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`teamhealth: could not start: ${errorMessage(err)}\n`);
  process.exit(1);
});
