/** The four things every check-in asks about, in the order they are asked. */
export const DIMENSIONS = ['energy', 'boundaries', 'ownership', 'recognition'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const SCORES = [1, 2, 3, 4, 5] as const;
export type Score = (typeof SCORES)[number];

/** One person's answers in one round. Never stored next to who gave them. */
export type Answers = Record<Dimension, Score>;

export const NOTE_MAX_LENGTH = 500;

export interface Question {
  dimension: Dimension;
  /** Short name shown in reports. */
  label: string;
  /** The question as the member reads it. */
  prompt: string;
  /** Words for the answers 1..5, lowest first. */
  options: readonly [string, string, string, string, string];
}

export const QUESTIONS: Record<Dimension, Question> = {
  energy: {
    dimension: 'energy',
    label: 'Energy',
    prompt: 'How much energy did you have for your work this week?',
    options: ['Running on empty', 'Low', 'Okay', 'Good', 'Full of energy'],
  },
  boundaries: {
    dimension: 'boundaries',
    label: 'Boundaries',
    prompt: 'Could you switch off and recover outside working hours?',
    options: ['Never off', 'Rarely', 'Sometimes', 'Mostly', 'Fully'],
  },
  ownership: {
    dimension: 'ownership',
    label: 'Ownership',
    prompt: 'Did you have room to own your problems and make decisions?',
    options: ['None at all', 'Little', 'Some', 'A fair amount', 'Plenty'],
  },
  recognition: {
    dimension: 'recognition',
    label: 'Recognition',
    prompt: 'Did you feel your work and its impact were noticed?',
    options: ['Not at all', 'Barely', 'Somewhat', 'Mostly', 'Clearly'],
  },
};

/** Counts of answers 1..5 (index 0 holds the count of 1s). */
export type Distribution = [number, number, number, number, number];

export const emptyDistribution = (): Distribution => [0, 0, 0, 0, 0];
