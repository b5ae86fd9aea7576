/** The one rule behind every score, distribution, note and answer-based flag we show. */
export const isShown = (responded: number, minResponses: number): boolean => responded >= minResponses;
