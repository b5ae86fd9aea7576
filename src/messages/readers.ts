import { mention } from './text.ts';

/** Who reads a team's results, and from how many answers on: every check-in and join DM names them. */
export interface Readers {
  managerId: string;
  leadId: string | null;
  /** The anonymity threshold (MIN_RESPONSES) the results are shown from. */
  threshold: number;
}

/** One sentence naming the people who read the results, and when they see anything. */
export function readersSentence(r: Readers): string {
  const manager = mention(r.managerId);
  const people =
    r.leadId === null
      ? `${manager} (manager)`
      : r.leadId === r.managerId
        ? `${manager} (manager and lead)`
        : `${manager} (manager), ${mention(r.leadId)} (lead)`;
  return (
    `Who reads the results: ${people} and this app's admins, as team totals only, shown once at least ` +
    `${r.threshold} people have answered. Nobody sees who answered what.`
  );
}
