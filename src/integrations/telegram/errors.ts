// Bot API failures, split by what a caller should do: retry (429 with retry_after, 5xx, network,
// timeout) or give up (other 4xx: bad chat, blocked bot, malformed request). The error name carries
// the split so a Temporal activity options list can name `TelegramPermanentError` as non-retryable.
// Messages hold the method and Telegram's description, never the request URL (it holds the token).

export class TelegramError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly retryable: boolean,
    /** Telegram's `error_code` (or the HTTP status when the body was not the Bot API's JSON). */
    readonly code: number | null,
    /** Telegram's `description`, e.g. "Bad Request: message is not modified: …". */
    readonly description: string | null,
    /** Seconds Telegram asked us to wait (429 `parameters.retry_after`). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = retryable ? 'TelegramRetryableError' : 'TelegramPermanentError';
  }
}

const has = (e: TelegramError, needle: string) => (e.description ?? '').toLowerCase().includes(needle);

/** An edit whose text and buttons are already what was asked: success for an idempotent edit. */
export const isNotModified = (e: unknown): boolean => e instanceof TelegramError && e.code === 400 && has(e, 'message is not modified');

/** The message to edit is gone or too old to edit: a new message has to be sent instead. */
export const isUneditable = (e: unknown): boolean =>
  e instanceof TelegramError &&
  e.code === 400 &&
  (has(e, 'message to edit not found') || has(e, "message can't be edited") || has(e, 'message can not be edited'));

/** A callback query answered too late (Telegram allows a few seconds): nothing to do about it. */
export const isStaleCallback = (e: unknown): boolean =>
  e instanceof TelegramError && e.code === 400 && (has(e, 'query is too old') || has(e, 'query id is invalid'));
