import { describe, expect, test } from '@jest/globals'
import {
  describeNamesake,
  findNamesakes,
  globToRegExp,
  isExpired
} from '../../src/operations/dataset-selection.js'
import type { DatasetId } from '../../src/nexus/types.js'

describe('globToRegExp', () => {
  test.each([
    ['nightly-*', 'nightly-2026-11-01', true],
    ['nightly-*', 'xnightly-1', false],
    ['run-?', 'run-1', true],
    ['run-?', 'run-12', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['(x)+[y]{2}|z$^\\', '(x)+[y]{2}|z$^\\', true],
    ['*', '', true],
    ['日本-?', '日本-語', true],
    ['multi*line', 'multi\nline', true]
  ])('%j on %j → %s', (pattern, name, expected) => {
    expect(globToRegExp(pattern).test(name)).toBe(expected)
  })
})

describe('isExpired', () => {
  const base = { id: 'dataset_x' as DatasetId, name: 'x', status: { overview: 'Uploaded' } }
  test('expiry now or earlier is expired; none is not', () => {
    expect(isExpired({ ...base, expiryTime: 1000 }, 1000)).toBe(true)
    expect(isExpired({ ...base, expiryTime: 1001 }, 1000)).toBe(false)
    expect(isExpired(base, 1000)).toBe(false)
  })
})

describe('findNamesakes', () => {
  const NOW = 1_800_000_000_000
  let n = 0
  const dataset = (name: string, overview: string, createDate?: number, expiryTime?: number) => ({
    id: `dataset_${++n}` as DatasetId,
    name,
    status: { overview },
    ...(createDate === undefined ? {} : { createDate }),
    ...(expiryTime === undefined ? {} : { expiryTime })
  })

  test('the newest not-expired namesake past Waiting and not failed; the newer others passed over', () => {
    const old = dataset('n', 'Uploaded', NOW - 3000)
    const processing = dataset('n', 'Processing', NOW - 2000)
    const failed = dataset('n', 'FailedUpload', NOW - 1000)
    const waiting = dataset('n', 'Waiting', NOW)
    const expired = dataset('n', 'Uploaded', NOW + 1, NOW)
    const other = dataset('m', 'Uploaded', NOW)
    const found = findNamesakes([old, processing, failed, waiting, expired, other], 'n', NOW)
    expect(found.all).toEqual([waiting, failed, processing, old])
    expect(found.reusable).toBe(processing)
    expect(found.passedOver.map(p => [p.dataset, p.reason])).toEqual([
      [waiting, 'it is Waiting: its file never arrived'],
      [failed, 'it ended in FailedUpload']
    ])
  })

  test('any status but Waiting and the failed ones qualifies, even one the API adds later', () => {
    expect(findNamesakes([dataset('n', 'Archived', NOW)], 'n', NOW).reusable?.status.overview).toBe(
      'Archived'
    )
  })

  test('the name must match exactly', () => {
    expect(findNamesakes([dataset('N', 'Uploaded'), dataset('n ', 'Uploaded')], 'n', NOW)).toEqual({
      all: [],
      passedOver: []
    })
  })

  test('why a namesake qualified names its status and times', () => {
    expect(
      describeNamesake(dataset('n', 'Uploaded', Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 12)))
    ).toBe(
      'same name, status Uploaded (past Waiting, not failed), created 2026-01-02 00:00 UTC, expires 2026-01-12 00:00 UTC'
    )
  })
})
