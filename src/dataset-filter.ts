import type { Dataset } from './nexus-types.js'

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
