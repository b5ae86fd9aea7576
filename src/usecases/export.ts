import type { ActionFocus, ActionStatus } from '../domain/actions.ts';
import { orgLine } from '../domain/digest.ts';
import { DIMENSIONS } from '../domain/dimensions.ts';
import { type Effect, judgeEffect } from '../domain/effect.ts';
import { type RoundRecord, roundRecords } from '../domain/health.ts';
import type { RoundTally } from '../domain/tally.ts';
import type { ActionStore } from '../store/actions.ts';
import type { RoundStore } from '../store/rounds.ts';
import type { Team, TeamStore } from '../store/teams.ts';

export type ExportFormat = 'json' | 'csv';

/** An action as the export shows it: what the team tried, and how its dimension reads now. */
export interface ActionRecord {
  number: number;
  about: ActionFocus;
  text: string;
  status: ActionStatus;
  effect: Effect;
}

/** A round with the actions the team started after it (see README, Export). */
export type ExportedRound = RoundRecord & { actions: ActionRecord[] };

export interface LeadExport {
  lead: string;
  org: { teams: number; responded: number; means: Record<string, number> | null };
  teams: ExportedRound[];
}

interface Stores {
  teams: TeamStore;
  rounds: RoundStore;
  actions: ActionStore;
}

/**
 * The team's closed rounds with its actions: each action on the first exported round at or after
 * the one it started after (an action from before any round, on round 1).
 */
function exportedRounds(s: Stores, team: Team, history: readonly RoundTally[]): ExportedRound[] {
  const actions = s.actions.all(team.id);
  const records = roundRecords(team.slug, history);
  return records.map((r, i) => {
    const after = records[i - 1]?.round ?? 0;
    const startedHere = actions.filter(
      (a) => Math.max(a.round, 1) > after && Math.max(a.round, 1) <= r.round,
    );
    return {
      ...r,
      actions: startedHere.map((a) => ({
        number: a.number,
        about: a.focus,
        text: a.text,
        status: a.status,
        effect: judgeEffect(a, history),
      })),
    };
  });
}

/** Every closed round of a team, oldest first: aggregates only, each under its own threshold. */
export function exportTeam(s: Stores, slug: string): ExportedRound[] | null {
  const team = s.teams.bySlug(slug);
  if (!team) return null;
  return exportedRounds(s, team, s.rounds.closedTallies(team.id, Number.MAX_SAFE_INTEGER));
}

/** Each led team's latest closed round, and the org line over the shown ones only. */
export function exportLead(s: Stores, leadId: string): LeadExport {
  const latest = s.teams.ledBy(leadId).map((team) => {
    const history = s.rounds.closedTallies(team.id, Number.MAX_SAFE_INTEGER);
    return { tally: history.at(-1) ?? null, record: exportedRounds(s, team, history).at(-1) };
  });
  return {
    lead: leadId,
    org: orgLine(latest.map((l) => l.tally)),
    teams: latest.flatMap((l) => (l.record ? [l.record] : [])),
  };
}

const CSV_HEADER = [
  'team',
  'round',
  'openedAt',
  'closedAt',
  'invited',
  'responded',
  'shown',
  ...DIMENSIONS,
  'flags',
  'actions',
];

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV is for reading and spreadsheets: means rounded to 2 decimals (3.1666… → 3.17); JSON keeps full precision. */
const csvMean = (v: number | undefined): string => (v === undefined ? '' : String(Number(v.toFixed(2))));

const csvRow = (r: ExportedRound): string =>
  [
    r.team,
    r.round,
    r.openedAt,
    r.closedAt,
    r.invited,
    r.responded,
    r.shown,
    ...DIMENSIONS.map((d) => csvMean(r.means?.[d])),
    r.flags.map((f) => [f.kind, f.dimension ?? '', f.severity].join(':')).join(';'),
    r.actions.map((a) => [a.number, a.about, a.status, a.effect].join(':')).join(';'),
  ]
    .map(csvCell)
    .join(',');

export function formatTeamExport(records: ExportedRound[], format: ExportFormat): string {
  if (format === 'json') return JSON.stringify(records, null, 2);
  return [CSV_HEADER.join(','), ...records.map(csvRow)].join('\n');
}

export function formatLeadExport(e: LeadExport, format: ExportFormat): string {
  if (format === 'json') return JSON.stringify(e, null, 2);
  // The org line comes last, as a row of its own with team "Org" and no round.
  const org = [
    'Org',
    '',
    '',
    '',
    '',
    e.org.responded,
    e.org.means !== null,
    ...DIMENSIONS.map((d) => csvMean(e.org.means?.[d])),
    '',
    '',
  ]
    .map(csvCell)
    .join(',');
  return [CSV_HEADER.join(','), ...e.teams.map(csvRow), org].join('\n');
}
