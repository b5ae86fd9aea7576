import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Score } from '../../src/domain/dimensions.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { type RoundStore, roundStore } from '../../src/store/rounds.ts';
import { type TeamStore, teamStore } from '../../src/store/teams.ts';

const HOUR = 3_600_000;
const T0 = new Date('2025-03-03T09:00:00Z');
const later = (h: number): Date => new Date(T0.getTime() + h * HOUR);

let dir: string;
let db: Db;
let teams: TeamStore;
let rounds: RoundStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-tallies-'));
  db = openDatabase(join(dir, 'th.db'));
  teams = teamStore(db);
  rounds = roundStore(db);
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const score = fc.integer({ min: 1, max: 5 }).map((n) => n as Score);
const answer = fc.record({ energy: score, boundaries: score, ownership: score, recognition: score });
// Per round: how many of the six members were invited, and the answers of the first few of them.
const round = fc
  .integer({ min: 1, max: 6 })
  .chain((invited) =>
    fc.record({ invited: fc.constant(invited), answers: fc.array(answer, { maxLength: invited }) }),
  );

let seq = 0;

describe('closedTallies (one query per team)', () => {
  it('equals the tally of each closed round, oldest first, limited to the latest', () => {
    fc.assert(
      fc.property(
        fc.array(round, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 10 }),
        (plan, limit) => {
          db.exec('DELETE FROM teams');
          const team = teams.create(`t${++seq}`, 'UM', 'UTC', T0);
          const members = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
          teams.addMembers(team.id, members);
          const ids: number[] = [];
          plan.forEach((r, week) => {
            const open = later(week * 168);
            const invitees = members.slice(0, r.invited);
            const inserted = rounds.insert(
              team.id,
              null,
              open,
              later(week * 168 + 24),
              later(week * 168 + 72),
              invitees,
              { minResponses: 5, keyCheck: null },
            );
            ids.push(inserted.id);
            r.answers.forEach((a, i) => {
              rounds.recordResponse(inserted.id, invitees[i] as string, a, i % 2 === 0 ? 'a note' : null);
            });
            rounds.markClosed(inserted.id, later(week * 168 + 72));
          });
          // An open round is never part of the history.
          rounds.insert(team.id, null, later(9000), later(9024), later(9072), members, {
            minResponses: 5,
            keyCheck: null,
          });

          const expected = ids.slice(-limit).map((id) => rounds.tally(id));
          const got = rounds.closedTallies(team.id, limit);
          expect(got).toEqual(expected);
          expect(got.map((t) => t.responded)).toEqual(plan.slice(-limit).map((r) => r.answers.length));
        },
      ),
      { numRuns: 60, seed: 20240611 },
    );
  });
});
