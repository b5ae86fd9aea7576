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
  // A chart upload the workspace or the file refuses (files.getUploadURLExternal).
  file_uploads_disabled: { unreachable: false },
  file_uploads_except_images_disabled: { unreachable: false },
  file_type_not_allowed: { unreachable: false },
  file_upload_size_restricted: { unreachable: false },
  alt_txt_too_large: { unreachable: false },
};

/** Retrying cannot help. */
export const isFinalError = (error: string): boolean => Object.hasOwn(FINAL, error);

/** The person behind the delivery can never be reached. */
export const marksUnreachable = (error: string): boolean => FINAL[error]?.unreachable === true;
