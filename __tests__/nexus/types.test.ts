import { describe, expect, test } from '@jest/globals'
import { BadAnswerError } from '../../src/shared/errors.js'
import { isDatasetId, parseDataset, parseDatasetPage } from '../../src/nexus/types.js'

const ID = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60'
const dataset = (id: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  name: 'n',
  status: { overview: 'Uploaded' },
  ...extra
})

describe('dataset ids are checked where they enter', () => {
  test.each([
    [ID, true],
    ['dataset_abc-123', true],
    ['.', false],
    ['..', false],
    ['dataset_..', false],
    ['dataset_a/b', false],
    ['dataset_%2e%2e', false],
    ['dataset_', false],
    [`dataset_${'a'.repeat(129)}`, false],
    ['DATASET_abc', false],
    [42, false]
  ])('%j → %s', (id, ok) => {
    expect(isDatasetId(id)).toBe(ok)
  })

  test('an answer with a malformed id is not what the API promises', () => {
    expect(() => parseDataset(dataset('..'), 'GET dataset')).toThrow(BadAnswerError)
    expect(() => parseDataset(dataset('..'), 'GET dataset')).toThrow(
      /is not what it promises: the dataset id "\.\." is not dataset_ followed by letters, digits and hyphens/
    )
  })

  test('a listing keeps its good entries and names the others by position', () => {
    const page = parseDatasetPage(
      {
        nextPage: null,
        data: [dataset(ID), dataset('.'), dataset(ID, { name: 3 }), dataset('dataset_b')]
      },
      'GET datasets',
      11
    )
    expect(page.data.map(d => d.id)).toEqual([ID, 'dataset_b'])
    expect(page.rejected.map(r => [r.position, r.problem])).toEqual([
      [12, 'the dataset id "." is not dataset_ followed by letters, digits and hyphens'],
      [13, `dataset ${ID} has no name`]
    ])
  })

  test('a status message that is not text is refused', () => {
    expect(() =>
      parseDataset(dataset(ID, { status: { overview: 'Uploaded', message: {} } }), 'GET')
    ).toThrow(/status\.message is not a string/)
  })
})
