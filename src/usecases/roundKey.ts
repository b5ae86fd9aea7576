import type { Services } from '../context.ts';
import { parseCheckinToken } from '../domain/ids.ts';
import { errorMessage } from '../log.ts';
import { checkinTokenOf } from '../messages/checkin.ts';
import type { Round } from '../store/rounds.ts';
import { keyCheck, keyMatches, newRoundKey } from '../store/sealing.ts';

// A round key lives in memory and in the members' DMs, never on disk. After a restart the app reads it
// back from one of the round's DMs in Slack, where every check-in message of an open round carries it.

/** How the app reads one of its own DMs back from Slack. */
export interface MessageReader {
  blocksOf(channel: string, ts: string): Promise<unknown>;
}

/** How many of a round's DMs a recovery reads before it gives up until the next try. */
const DMS_TO_TRY = 3;

/**
 * A round whose key was lost (restart) before any check-in reached anyone: nobody holds the old key,
 * so a new one takes its place.
 */
export function rekeyUnseenRound(s: Services, round: Round): Buffer | undefined {
  if (round.closedAt !== null || s.rounds.deliveredCount(round.id) > 0) return undefined;
  if (s.rounds.counts(round.id).answered > 0) return undefined;
  const key = newRoundKey();
  s.rounds.setKeyCheck(round.id, keyCheck(key));
  s.keys.remember(round.id, key);
  return key;
}

/** Reads the key of each open round the app has lost back from its DMs. Returns how many it found. */
export async function recoverRoundKeys(s: Services, reader: MessageReader): Promise<number> {
  let found = 0;
  for (const round of s.rounds.allOpen()) {
    if (round.keyCheck === null || s.keys.get(round.id)) continue;
    const check = round.keyCheck;
    const dms = s.rounds.invites(round.id).filter((i) => i.dmChannel !== null && i.dmTs !== null);
    for (const dm of dms.slice(0, DMS_TO_TRY)) {
      try {
        const token = parseCheckinToken(
          checkinTokenOf(await reader.blocksOf(dm.dmChannel as string, dm.dmTs as string)),
        );
        if (token?.key && token.roundId === round.id && keyMatches(token.key, check)) {
          s.keys.remember(round.id, token.key);
          found++;
          break;
        }
      } catch (err) {
        s.log.warn(`round ${round.id}: its key could not be read back from Slack: ${errorMessage(err)}`);
      }
    }
  }
  if (found > 0) {
    s.log.info(`read the keys of ${found} open round(s) back from Slack`);
    s.kick();
  }
  return found;
}
