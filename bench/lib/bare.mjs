// The bare Bolt app the bench measures teamhealth against: the same receiver (the compiled one from
// dist/, verifying signatures and shapes) in front of a Bolt App whose listeners only acknowledge — the
// `/teamhealth` command and the check-in modal's submission. Started like the app (plain node, the flags
// of `npm start`, the bench's probe), on PORT; SIGTERM stops it.
import { App, LogLevel } from '@slack/bolt';
import { createLogger } from '../../dist/log.js';
import { GuardedHttpReceiver } from '../../dist/slack/receiver.js';

const receiver = new GuardedHttpReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  port: Number(process.env.PORT ?? 0),
  host: '127.0.0.1',
  log: createLogger('error'),
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
app.view('checkin', async ({ ack }) => {
  await ack();
});
await app.start();
process.on('SIGTERM', () => {
  app.stop().finally(() => process.exit(0));
});
