/**
 * Slack's documented limits, scaled so the fan-out of 5,000 invites takes about half a minute.
 * chat.postMessage: ~1 a second per channel plus a workspace budget ("several hundred a minute"; the
 * app's default is 300); conversations.open and chat.update: Tier 3 (50+ a minute).
 */
export const REAL = { postMessagePerMinute: 300, tier3PerMinute: 50 };

/** Workspace budget for chat.postMessage in the scaled run: 5,000 invites need 5000 / 170 = 29.4 s. */
export const WORKSPACE_PER_SECOND = 170;
export const SCALE = (WORKSPACE_PER_SECOND * 60) / REAL.postMessagePerMinute; // 34
export const TIER3_PER_MINUTE = REAL.tier3PerMinute * SCALE; // 1,700

/** What the fake Slack enforces. Per channel stays at 1 a second: scaling it up would be kinder than Slack. */
export const fakeLimits = {
  postMessagePerChannelPerSecond: 1,
  postMessageWorkspacePerSecond: WORKSPACE_PER_SECOND,
  perMethodPerMinute: { 'conversations.open': TIER3_PER_MINUTE, 'chat.update': TIER3_PER_MINUTE },
};

/**
 * How the app is configured: its per-minute budgets at 97 % of the limits, the margin an operator leaves
 * so the pacer's burst (3 calls) and network jitter never tip a window over.
 */
export const PACE = 0.97;
export const appBudgets = {
  SLACK_POSTMESSAGE_PER_MINUTE: String(Math.floor(WORKSPACE_PER_SECOND * 60 * PACE)),
  SLACK_UPDATE_PER_MINUTE: String(Math.floor(TIER3_PER_MINUTE * PACE)),
};
