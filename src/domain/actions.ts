import { DIMENSIONS, type Dimension } from './dimensions.ts';

/** What an action is about: one dimension, or `team` for none in particular. */
export type ActionFocus = Dimension | 'team';
export const ACTION_FOCUSES: readonly ActionFocus[] = [...DIMENSIONS, 'team'];

/** An action's text is short enough to read in a DM line. */
export const ACTION_TEXT_MAX = 200;

/** A team hears about a few things better than about many: more open actions wait. */
export const MAX_OPEN_ACTIONS = 5;

export type ActionStatus = 'open' | 'done' | 'dropped';

/** What a team said it would try. It belongs to the team: nothing in it names a person. */
export interface Action {
  /** Numbered per team: 1, 2, … */
  number: number;
  focus: ActionFocus;
  text: string;
  /** The team's latest round when the action started (0 when no round had opened yet). */
  round: number;
  status: ActionStatus;
}

export const isActionFocus = (s: string): s is ActionFocus =>
  (ACTION_FOCUSES as readonly string[]).includes(s);
