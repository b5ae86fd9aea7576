/**
 * npm run export -- --team <slug> [--format json|csv]
 * npm run export -- --lead <SlackUserId> [--format json|csv]
 * Prints aggregates only, under the same anonymity threshold as the app. Safe while the app runs.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import dotenv from 'dotenv';
import { z } from 'zod';
import { parseStorageConfig } from '../src/config.ts';
import { actionStore } from '../src/store/actions.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { roundStore } from '../src/store/rounds.ts';
import { teamStore } from '../src/store/teams.ts';
import { exportLead, exportTeam, formatLeadExport, formatTeamExport } from '../src/usecases/export.ts';

const USAGE = 'Usage: npm run export -- (--team <slug> | --lead <SlackUserId>) [--format json|csv]';

const HELP = `${USAGE}

Prints the aggregates of closed check-in rounds, never anything per person, under the same
anonymity threshold as the app (MIN_RESPONSES): a round with fewer answers has no means.

  --team <slug>         every closed round of the team, oldest first
  --lead <SlackUserId>  each team the person leads (its latest closed round) and the Org line,
                        computed over shown teams only
  --format json|csv     JSON (the default) or CSV; CSV means are rounded to 2 decimals
  -h, --help            this help

Reads DATABASE_PATH and MIN_RESPONSES from the environment or .env, and opens the database
read-only, so it works while the app runs.

Exit status: 0 printed; 1 nothing to print (no database, not a teamhealth database, no such
team, a person who leads no team); 2 wrong arguments.
`;

const Args = z
  .object({
    team: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/, 'a team name is 1–40 lowercase letters, digits or dashes')
      .optional(),
    lead: z
      .string()
      .regex(/^[UW][A-Za-z0-9]+$/, 'a lead is a Slack user id such as U0123ABCD')
      .optional(),
    format: z.enum(['json', 'csv'], 'format must be json or csv').default('json'),
  })
  .refine((a) => (a.team === undefined) !== (a.lead === undefined), 'give exactly one of --team or --lead');

/** Wrong arguments: the reason and the usage line, exit 2. */
function usageError(message: string): never {
  process.stderr.write(`export: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Nothing to print: one line, exit 1. */
function nothing(message: string): never {
  process.stderr.write(`export: ${message}\n`);
  process.exit(1);
}

/** One line for what SQLite says about a file, instead of its stack trace. */
function unreadable(path: string, err: InstanceType<typeof Database.SqliteError>): string {
  if (err.code === 'SQLITE_NOTADB') return `${path} is not a SQLite database (set DATABASE_PATH)`;
  if (/no such table/.test(err.message)) {
    return `${path} is a SQLite database but not teamhealth's (${err.message}; set DATABASE_PATH)`;
  }
  return `could not read ${path}: ${err.message}`;
}

function main(): void {
  dotenv.config({ quiet: true });
  let raw: Record<string, unknown>;
  try {
    raw = parseArgs({
      options: {
        team: { type: 'string' },
        lead: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    usageError(err instanceof Error ? err.message : String(err));
  }
  if (raw.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const args = Args.safeParse(raw);
  if (!args.success) usageError(args.error.issues[0]?.message ?? 'bad arguments');
  let path: string;
  try {
    // Each round is shown or hidden under the threshold it opened with: MIN_RESPONSES plays no part here.
    path = parseStorageConfig(process.env).databasePath;
  } catch (err) {
    usageError(err instanceof Error ? err.message : String(err));
  }
  if (!existsSync(path)) nothing(`no database at ${path} (set DATABASE_PATH)`);
  const { team, lead, format } = args.data;
  let out: string;
  try {
    // Read-only: the running app keeps writing through WAL while this reads a consistent snapshot.
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      // Version 0 is no teamhealth database at all: reading it fails below with the words for that.
      if (version > 0 && version < MIGRATIONS.length) {
        nothing(
          `the database at ${path} is from an older version of teamhealth: start the app once to upgrade it`,
        );
      }
      const stores = { teams: teamStore(db), rounds: roundStore(db), actions: actionStore(db) };
      if (team !== undefined) {
        const records = exportTeam(stores, team);
        if (records === null) nothing(`there is no team called ${team}`);
        out = formatTeamExport(records, format);
      } else {
        const leadId = lead as string;
        if (stores.teams.ledBy(leadId).length === 0) nothing(`${leadId} leads no team`);
        out = formatLeadExport(exportLead(stores, leadId), format);
      }
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof Database.SqliteError) nothing(unreadable(path, err));
    throw err;
  }
  process.stdout.write(`${out}\n`);
}

main();
