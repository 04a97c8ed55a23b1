import { describe, expect, test } from '@jest/globals'
import {
  backoffDelay,
  parseRetryAfter,
  withRetries,
  type RetryPolicy
} from '../../src/net/retry.js'
import { FakeClock } from '../support/fake-clock.js'
import { t } from '../../src/shared/outside-text.js'

const policy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 60_000
}

describe('backoffDelay', () => {
  test('doubles each retry with equal jitter, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map(n => backoffDelay(n, policy, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000
    ])
    expect([1, 2, 3, 4, 5, 6].map(n => backoffDelay(n, policy, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 16_000
    ])
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T12:00:00Z')
  test.each([
    ['7', 7000],
    [' 0 ', 0],
    ['Wed, 25 Nov 2026 12:00:30 GMT', 30_000],
    ['Wed, 25 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    [undefined, undefined]
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe('withRetries', () => {
  const transient = new Error('transient')
  const final = new Error('final')
  const classify = (error: unknown) =>
    error === transient ? { retry: true as const, reason: t`transient` } : { retry: false as const }

  test('retries transient errors on the backoff schedule, then succeeds', async () => {
    const clock = new FakeClock()
    let calls = 0
    const result = await withRetries(
      async () => {
        if (++calls < 4) throw transient
        return 'ok'
      },
      { policy, clock, random: () => 0.5, classify }
    )
    expect(result).toBe('ok')
    expect(clock.sleeps).toEqual([750, 1500, 3000])
  })

  test('gives up after maxAttempts with the last error', async () => {
    const clock = new FakeClock()
    let calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw transient
        },
        { policy, clock, random: () => 0, classify }
      )
    ).rejects.toBe(transient)
    expect(calls).toBe(5)
    expect(clock.sleeps).toHaveLength(4)
  })

  test('never retries a final error', async () => {
    const clock = new FakeClock()
    let calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw final
        },
        { policy, clock, random: () => 0, classify }
      )
    ).rejects.toBe(final)
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  test('honours Retry-After, capped', async () => {
    const clock = new FakeClock()
    let calls = 0
    await withRetries(
      async () => {
        if (++calls < 3) throw transient
        return calls
      },
      {
        policy,
        clock,
        random: () => 0,
        classify: () => ({
          retry: true,
          reason: t`r`,
          retryAfterMs: calls === 1 ? 2500 : 3_600_000
        })
      }
    )
    expect(clock.sleeps).toEqual([2500, 60_000])
  })

  test('stops at once when the signal aborts', async () => {
    const clock = new FakeClock()
    const controller = new AbortController()
    const cancelled = new Error('cancelled')
    let calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          controller.abort(cancelled)
          throw transient
        },
        { policy, clock, random: () => 0, classify, signal: controller.signal }
      )
    ).rejects.toBe(cancelled)
    expect(calls).toBe(1)
  })
})
