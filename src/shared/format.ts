/** Sizes, durations and times as people read them in logs, messages and summaries. */

/**
 * A configured time (a timeout, a retry delay) in seconds, the unit the inputs take it in, so a
 * message says `1800 s` for `timeout: 1800`. Times the step measured read as readableDuration.
 */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1073741824) return `${(bytes / 1048576).toFixed(1)} MiB`
  if (bytes < 1099511627776) return `${(bytes / 1073741824).toFixed(2)} GiB`
  return `${(bytes / 1099511627776).toFixed(2)} TiB`
}

/** Epoch milliseconds as ISO 8601 UTC, or '' when absent or not a time. */
export function isoTime(epochMs: number | undefined): string {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) return ''
  const date = new Date(epochMs)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}

/**
 * Epoch milliseconds as people read a time in a summary: `2026-11-26 13:17 UTC`, to the minute
 * (the outputs keep the full ISO form), or '' when absent or not a time.
 */
export function readableTime(epochMs: number | undefined): string {
  const iso = isoTime(epochMs)
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : ''
}

const AGE_UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000]
]

/**
 * How far `epochMs` is from `now`, rounded in its largest unit (two units make the next one, so
 * 36 hours read `36 h`, not `2 d`; a dataset made a minute ago that lives 10 days expires
 * `in 10 d`): `5 min`, `36 h`, `12 d`; under a minute, `under 1 min`.
 */
export function timeSpan(epochMs: number, now: number): string {
  const ms = Math.abs(epochMs - now)
  for (const [unit, size] of AGE_UNITS) {
    if (ms >= 2 * size || (unit === 'min' && ms >= size)) return `${Math.round(ms / size)} ${unit}`
  }
  return 'under 1 min'
}

/** The units a duration input takes (`older-than: 30d`), in ms. */
export const DURATION_UNITS = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
} as const

/** A duration input: its length, and its text as written, for messages that echo it (`7d`). */
export interface Duration {
  ms: number
  text: string
}

/** A step's time: `35 ms`, `4.2 s`, `12 s`, `3 min 20 s`; rounded first, so 59.6 s reads `1 min`. */
export function readableDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`
  const tenths = Math.round(ms / 100) / 10
  if (tenths < 10) return `${tenths.toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const rest = seconds % 60
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`
}
