/**
 * npm run demo: the real app against a built-in fake Slack, twelve simulated weeks of an organisation,
 * and what each role saw. No Slack workspace, no `.env`, no network. Writes ./demo-data/teamhealth-demo.db
 * and the charts the app uploaded, as PNG files, into ./demo-data/charts/.
 */
import { parseArgs } from 'node:util';
import { CHARTS_DIR, DB_FILE, runDemo } from './demo/run.ts';

const DIR = 'demo-data';
const USAGE = 'Usage: npm run demo [-- --help]';

const HELP = `${USAGE}

Runs the real teamhealth app against a built-in fake Slack: no Slack workspace, no .env, no
network. It sets up an organisation of two leads, six teams and 47 people, runs twelve weekly
check-ins on a simulated clock in a few seconds, then prints what each role saw: a member's DM
and check-in form, a manager's summary with trend, flags and suggestions, a lead's digest, and
the privacy statement.

It writes ${DIR}/${DB_FILE} and, as PNG files, every trend chart the app uploaded into
${DIR}/${CHARTS_DIR}/ (both replaced on every run), prints their paths, and ends with sqlite3 and
npm run export commands to look inside. Output is coloured on a terminal unless NO_COLOR is set.

  -h, --help  this help
`;

let help = false;
try {
  help = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true }).values.help === true;
} catch (err) {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
}

if (help) {
  process.stdout.write(HELP);
} else {
  runDemo({ out: process.stdout, dir: DIR }).then(
    (result) => {
      if (result.problems.length > 0) process.exitCode = 1;
    },
    (err: unknown) => {
      process.stderr.write(
        `\ndemo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
