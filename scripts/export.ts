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
import { roundStore } from '../src/store/rounds.ts';
import { teamStore } from '../src/store/teams.ts';
import { exportLead, exportTeam, formatLeadExport, formatTeamExport } from '../src/usecases/export.ts';

const USAGE = 'Usage: npm run export -- (--team <slug> | --lead <SlackUserId>) [--format json|csv]';

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

function fail(message: string): never {
  process.stderr.write(`export: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function main(): void {
  dotenv.config({ quiet: true });
  let raw: Record<string, unknown>;
  try {
    raw = parseArgs({
      options: { team: { type: 'string' }, lead: { type: 'string' }, format: { type: 'string' } },
      strict: true,
    }).values;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const args = Args.safeParse(raw);
  if (!args.success) fail(args.error.issues[0]?.message ?? 'bad arguments');
  let storage: { databasePath: string; minResponses: number };
  try {
    storage = parseStorageConfig(process.env);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { databasePath: path, minResponses } = storage;
  if (!existsSync(path)) fail(`no database at ${path} (set DATABASE_PATH)`);
  // Read-only: the running app keeps writing through WAL while this reads a consistent snapshot.
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const stores = { teams: teamStore(db), rounds: roundStore(db) };
  const { team, lead, format } = args.data;
  let out: string;
  if (team !== undefined) {
    const records = exportTeam(stores, team, minResponses);
    if (records === null) fail(`there is no team called ${team}`);
    out = formatTeamExport(records, format);
  } else {
    out = formatLeadExport(exportLead(stores, lead as string, minResponses), format);
  }
  db.close();
  process.stdout.write(`${out}\n`);
}

main();
