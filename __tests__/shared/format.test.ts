import { describe, expect, test } from '@jest/globals'
import { formatBytes, readableDuration, readableTime, timeSpan } from '../../src/shared/format.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = Date.UTC(2026, 10, 26, 13, 17, 34, 683)

describe('times as people read them', () => {
  test('to the minute, in UTC, no milliseconds; nothing for no time', () => {
    expect(readableTime(NOW)).toBe('2026-11-26 13:17 UTC')
    expect(readableTime(undefined)).toBe('')
    expect(readableTime(Number.NaN)).toBe('')
  })

  test.each([
    [30_000, 'under 1 min'],
    [90_000, '2 min'],
    [119 * MIN, '119 min'],
    [36 * HOUR, '36 h'],
    [47.6 * HOUR, '48 h'],
    [10 * DAY - MIN, '10 d'],
    [DAY * 400, '400 d']
  ])('%d ms apart reads %s, before or after', (ms, expected) => {
    expect(timeSpan(NOW + ms, NOW)).toBe(expected)
    expect(timeSpan(NOW - ms, NOW)).toBe(expected)
  })

  test.each([
    [35, '35 ms'],
    [4_200, '4.2 s'],
    [12_400, '12 s'],
    [200_000, '3 min 20 s'],
    [120_000, '2 min'],
    [59_600, '1 min'],
    [9_960, '10 s'],
    [999.6, '1.0 s']
  ])('a step of %d ms took %s', (ms, expected) => {
    expect(readableDuration(ms)).toBe(expected)
  })
})

describe('sizes as people read them', () => {
  test.each([
    [1000, '1000 B'],
    [1536, '1.5 KiB'],
    [256 * 2 ** 20, '256.0 MiB'],
    [3 * 2 ** 30, '3.00 GiB'],
    [5 * 2 ** 40, '5.00 TiB']
  ])('%d bytes read %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected)
  })
})
