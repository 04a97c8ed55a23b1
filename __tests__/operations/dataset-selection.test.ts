import { describe, expect, test } from '@jest/globals'
import { globToRegExp, isExpired } from '../../src/operations/dataset-selection.js'
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
