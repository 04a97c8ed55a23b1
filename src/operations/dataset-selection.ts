import type { Logger } from '../shared/logger.js'
import type { Dataset, RejectedEntry } from '../nexus/types.js'
import { t } from '../shared/outside-text.js'

/** Expired means the expiry time is not in the future; no expiry time, not expired. */
export function isExpired(dataset: Dataset, now: number): boolean {
  return typeof dataset.expiryTime === 'number' && dataset.expiryTime <= now
}

/**
 * A glob with `*` (any run of characters) and `?` (one character), matched
 * against the whole name; every other character stands for itself.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (const char of pattern) {
    if (char === '*') source += '.*'
    else if (char === '?') source += '.'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'su')
}

/** Warnings past this are counted, not listed. */
const REJECTED_SHOWN = 10

/**
 * Entries of a listing that are not datasets as the API promises (say an id that could steer a
 * request URL) are never shown in outputs nor acted on; each is named in a warning.
 */
export function warnRejected(log: Logger, rejected: readonly RejectedEntry[]): void {
  for (const entry of rejected.slice(0, REJECTED_SHOWN)) {
    log.warning(
      t`Skipped entry ${entry.position} of the project's listing: it is not what the Nexus API promises (${entry.problem}).`
    )
  }
  if (rejected.length > REJECTED_SHOWN) {
    log.warning(t`Skipped ${rejected.length - REJECTED_SHOWN} more such entries.`)
  }
}
