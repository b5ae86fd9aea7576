import type { Action, ActionFocus, ActionStatus } from '../domain/actions.ts';
import type { Db } from './db.ts';

interface Row {
  number: number;
  dimension: string;
  text: string;
  round: number;
  status: string;
}

const toAction = (r: Row): Action => ({
  number: r.number,
  focus: r.dimension as ActionFocus,
  text: r.text,
  round: r.round,
  status: r.status as ActionStatus,
});

export type ActionStore = ReturnType<typeof actionStore>;

export function actionStore(db: Db) {
  const nextNumber = db.prepare<[number], { n: number }>(
    'SELECT coalesce(max(number), 0) + 1 AS n FROM actions WHERE team_id = ?',
  );
  const latestRound = db.prepare<[number], { n: number }>(
    'SELECT coalesce(max(number), 0) AS n FROM rounds WHERE team_id = ?',
  );
  const insert = db.prepare<[number, number, string, string, number]>(
    'INSERT INTO actions (team_id, number, dimension, text, round) VALUES (?, ?, ?, ?, ?)',
  );
  const all = db.prepare<[number], Row>(
    'SELECT number, dimension, text, round, status FROM actions WHERE team_id = ? ORDER BY number',
  );
  const open = db.prepare<[number], Row>(
    "SELECT number, dimension, text, round, status FROM actions WHERE team_id = ? AND status = 'open' ORDER BY number",
  );
  const one = db.prepare<[number, number], Row>(
    'SELECT number, dimension, text, round, status FROM actions WHERE team_id = ? AND number = ?',
  );
  const finish = db.prepare<[string, number, number]>(
    "UPDATE actions SET status = ? WHERE team_id = ? AND number = ? AND status = 'open'",
  );

  return {
    /** Records an action that starts now, numbered after the team's last one; call inside a transaction. */
    add: (teamId: number, focus: ActionFocus, text: string): Action => {
      const number = (nextNumber.get(teamId) as { n: number }).n;
      const round = (latestRound.get(teamId) as { n: number }).n;
      insert.run(teamId, number, focus, text, round);
      return { number, focus, text, round, status: 'open' };
    },
    all: (teamId: number): Action[] => all.all(teamId).map(toAction),
    open: (teamId: number): Action[] => open.all(teamId).map(toAction),
    byNumber: (teamId: number, number: number): Action | undefined => {
      const r = one.get(teamId, number);
      return r && toAction(r);
    },
    /** Marks an open action done or dropped; false when it was not open. */
    finish: (teamId: number, number: number, status: 'done' | 'dropped'): boolean =>
      finish.run(status, teamId, number).changes === 1,
  };
}
