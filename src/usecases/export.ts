import { orgLine } from '../domain/digest.ts';
import { DIMENSIONS } from '../domain/dimensions.ts';
import { type RoundRecord, roundRecords } from '../domain/health.ts';
import type { RoundStore } from '../store/rounds.ts';
import type { TeamStore } from '../store/teams.ts';

export type ExportFormat = 'json' | 'csv';

export interface LeadExport {
  lead: string;
  org: { teams: number; responded: number; means: Record<string, number> | null };
  teams: RoundRecord[];
}

interface Stores {
  teams: TeamStore;
  rounds: RoundStore;
}

/** Every closed round of a team, oldest first: aggregates only, each under its own threshold. */
export function exportTeam(s: Stores, slug: string): RoundRecord[] | null {
  const team = s.teams.bySlug(slug);
  if (!team) return null;
  return roundRecords(team.slug, s.rounds.closedTallies(team.id, Number.MAX_SAFE_INTEGER));
}

/** Each led team's latest closed round, and the org line over the shown ones only. */
export function exportLead(s: Stores, leadId: string): LeadExport {
  const latest = s.teams.ledBy(leadId).map((team) => {
    const history = s.rounds.closedTallies(team.id, Number.MAX_SAFE_INTEGER);
    return { tally: history.at(-1) ?? null, record: roundRecords(team.slug, history).at(-1) };
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
];

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV is for reading and spreadsheets: means rounded to 2 decimals (3.1666… → 3.17); JSON keeps full precision. */
const csvMean = (v: number | undefined): string => (v === undefined ? '' : String(Number(v.toFixed(2))));

const csvRow = (r: RoundRecord): string =>
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
  ]
    .map(csvCell)
    .join(',');

export function formatTeamExport(records: RoundRecord[], format: ExportFormat): string {
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
  ]
    .map(csvCell)
    .join(',');
  return [CSV_HEADER.join(','), ...e.teams.map(csvRow), org].join('\n');
}
