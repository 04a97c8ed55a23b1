import type { Clock } from '../shared/clock.js'
import type { Inert } from '../shared/outside-text.js'

/** How often and how patiently a failed call is tried again. */
export interface RetryPolicy {
  /** Total tries, the first included. */
  maxAttempts: number
  /** Delay before the first retry; each later one doubles, up to maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
  /** A server's Retry-After is honoured up to this; longer asks are cut to it. */
  maxRetryAfterMs: number
}

/** Statuses worth another try: the request did not take effect, or may not have. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export const API_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 60_000
}

/**
 * The delay before retry number `retry` (1 for the first retry). Exponential
 * with "equal jitter": half the step is fixed so retries never bunch at zero,
 * half is random so many runners hitting one outage do not retry in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.round(step / 2 + random() * (step / 2))
}

/**
 * Reads a Retry-After header (delta-seconds or an HTTP date) as a delay in ms,
 * or undefined when absent or unreadable. A date in the past means "now".
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP date always names its day and month; anything else is not one.
  if (!/[a-z]{3}/i.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** What the caller decided about one failed try. */
export type RetryVerdict = { retry: false } | { retry: true; retryAfterMs?: number; reason: Inert }

export interface RetryOptions {
  policy: RetryPolicy
  clock: Clock
  random: () => number
  signal?: AbortSignal
  /** Decides whether the error is worth another try. */
  classify(error: unknown): RetryVerdict
  /** Told before each wait, for the log. */
  onRetry?(info: { attempt: number; delayMs: number; reason: Inert }): void
}

/** Runs `attempt` until it succeeds, the error is final, or tries run out. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions
): Promise<T> {
  const { policy, clock } = options
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason
      const verdict = options.classify(error)
      if (!verdict.retry || n >= policy.maxAttempts) throw error
      const delayMs =
        verdict.retryAfterMs !== undefined
          ? Math.min(verdict.retryAfterMs, policy.maxRetryAfterMs)
          : backoffDelay(n, policy, options.random)
      options.onRetry?.({ attempt: n, delayMs, reason: verdict.reason })
      await clock.sleep(delayMs, options.signal)
    }
  }
}
