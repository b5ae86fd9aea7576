/**
 * The one rule behind every score, distribution, note and answer-based flag we show: enough people
 * answered, measured against the threshold the round opened with (a later setting never changes it).
 */
export const meetsThreshold = (responded: number, minResponses: number): boolean => responded >= minResponses;

/** Whether a round's figures may be shown: decided when it closed, under its own threshold. */
export const isShown = (r: { shown: boolean }): boolean => r.shown;
