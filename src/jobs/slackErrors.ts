/**
 * Slack's errors that no retry can fix, in one table: a delivery that gets one fails for good, and
 * those marked `unreachable` also mean the person can never be messaged (they are skipped from then on).
 */
const FINAL: Readonly<Record<string, { unreachable: boolean }>> = {
  account_inactive: { unreachable: true },
  user_not_found: { unreachable: true },
  user_disabled: { unreachable: true },
  cannot_dm_bot: { unreachable: true },
  channel_not_found: { unreachable: false },
  not_in_channel: { unreachable: false },
  invalid_blocks: { unreachable: false },
  msg_too_long: { unreachable: false },
  message_not_found: { unreachable: false },
  cant_update_message: { unreachable: false },
  edit_window_closed: { unreachable: false },
};

/** Retrying cannot help. */
export const isFinalError = (error: string): boolean => Object.hasOwn(FINAL, error);

/** The person behind the delivery can never be reached. */
export const marksUnreachable = (error: string): boolean => FINAL[error]?.unreachable === true;
