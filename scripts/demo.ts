/**
 * npm run demo: the real app against a built-in fake Slack, twelve simulated weeks of an organisation,
 * and what each role saw. No Slack workspace, no `.env`, no network. Writes ./demo-data/teamhealth-demo.db.
 */
import { runDemo } from './demo/run.ts';

runDemo({ out: process.stdout, dir: 'demo-data' }).then(
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
