import { describe, expect, test } from '@jest/globals'
import {
  describeNamesake,
  findNamesakes,
  isExpired,
  nameMatcher
} from '../../src/operations/dataset-selection.js'
import type { DatasetId } from '../../src/nexus/types.js'
import { prng } from '../support/prng.js'

describe('nameMatcher', () => {
  test.each([
    ['nightly-*', 'nightly-2026-11-01', true],
    ['nightly-*', 'xnightly-1', false],
    ['run-?', 'run-1', true],
    ['run-?', 'run-12', false],
    ['run-?', 'run-', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'x', false],
    ['?', '', false],
    ['a*', 'a', true],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYc!', false],
    ['**x**', 'x', true],
    ['*?*', '', false],
    // `*` spans line breaks, `?` is one too: the whole name counts, not a line of it.
    ['multi*line', 'multi\nline', true],
    ['a?b', 'a\nb', true],
    ['a?b', 'a\r\nb', false],
    ['line', 'line\nline', false],
    // `?` is one code point: an emoji or a rare CJK character outside the BMP is one.
    ['日本-?', '日本-語', true],
    ['x?y', 'x😀y', true],
    ['x??y', 'x😀y', false],
    ['x?y', 'x𠮷y', true],
    ['😀*', '😀😀', true],
    ['?', '\ud800', true],
    ['\ud83d*', '😀', false],
    // Every other character stands for itself, regex metacharacters included.
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['a+', 'aa', false],
    ['a+', 'a+', true],
    ['(x)', '(x)', true],
    ['(x)', 'x', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['a\\d', 'a\\d', true],
    ['a\\d', 'a1', false],
    ['end$', 'end$', true],
    ['end$', 'end', false],
    ['^start', '^start', true],
    ['(x)+[y]{2}|z$^\\', '(x)+[y]{2}|z$^\\', true],
    ['a|b', 'a', false],
    ['CASE', 'case', false]
  ])('%j on %j → %s', (pattern, name, expected) => {
    expect(nameMatcher(pattern)(name)).toBe(expected)
  })

  test('agrees with the regular expression it replaces, on random patterns and names', () => {
    const random = prng(17)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
    const alphabet = ['a', 'b', '.', '\n', '😀']
    const text = (chars: readonly string[], max: number) =>
      Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(chars)).join('')
    // The old reading, as a reference only: `*` is .*, `?` is ., the rest escaped; s and u flags.
    const reference = (pattern: string) =>
      new RegExp(
        `^${Array.from(pattern, c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
        'su'
      )
    for (let i = 0; i < 3000; i++) {
      const pattern = text([...alphabet, '*', '?'], 6)
      const name = text(alphabet, 8)
      expect([pattern, name, nameMatcher(pattern)(name)]).toEqual([
        pattern,
        name,
        reference(pattern).test(name)
      ])
    }
  })

  // A backtracking regular expression took minutes on each of these.
  const MEGABYTE = 1024 * 1024
  test.each([
    ['*a*a*a*a*a*a*a*a*a*b', 'a × 1 MB', false, () => 'a'.repeat(MEGABYTE)],
    ['*a*a*a*a*a*a*a*a*a*b', 'a × 1 MB, then b', true, () => `${'a'.repeat(MEGABYTE)}b`],
    ['ci-*-*-tmp', 'ci- then - × 1 MB', false, () => `ci-${'-'.repeat(MEGABYTE)}`],
    ['ci-*-*-tmp', 'ci- then - × 1 MB, then tmp', true, () => `ci-${'-'.repeat(MEGABYTE)}tmp`],
    ['*?*?*?*?*?x', '😀 × 1 MB', false, () => '😀'.repeat(MEGABYTE / 4)]
  ])('%j on %s → %s', (pattern, _label, expected, name) => {
    expect(nameMatcher(pattern)(name())).toBe(expected)
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
