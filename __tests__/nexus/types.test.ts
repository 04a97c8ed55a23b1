import { describe, expect, test } from '@jest/globals'
import { BadAnswerError } from '../../src/shared/errors.js'
import {
  isDatasetId,
  parseDataset,
  parseDatasetPage,
  parseDeleteAnswer
} from '../../src/nexus/types.js'

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

describe('counts and times are safe whole numbers from 0 up, or unknown', () => {
  test.each([
    ['expiryTime', 'Infinity (1e309 as JSON.parse reads it)', { expiryTime: Infinity }],
    ['createDate', '-3', { createDate: -3 }],
    ['updateDate', '2.5', { updateDate: 2.5 }],
    ['status.updateTime', 'a string', { status: { overview: 'Uploaded', updateTime: '17' } }],
    ['status.itemCount', 'null', { status: { overview: 'Uploaded', itemCount: null } }],
    ['status.itemCount', '2 ** 53', { status: { overview: 'Uploaded', itemCount: 2 ** 53 } }],
    ['status.itemCount', 'an array', { status: { overview: 'Uploaded', itemCount: [1] } }]
  ])('%s of %s is dropped and named', (field, _label, extra) => {
    const answer = dataset(ID, extra)
    const { dataset: read, unknownNumbers } = parseDataset(answer, 'GET')
    const value = Object.values(extra)[0]
    const [name, inStatus] = field.startsWith('status.')
      ? [field.slice('status.'.length), true]
      : [field, false]
    expect(inStatus ? read.status : read).not.toHaveProperty(name)
    expect(unknownNumbers).toEqual([
      {
        datasetId: ID,
        field,
        value: inStatus ? (value as Record<string, unknown>)[name] : value
      }
    ])
    // The answer itself is left as it came.
    expect(answer).toEqual(dataset(ID, extra))
  })

  test('whole numbers from 0 up are kept, and a dataset with only those is not copied', () => {
    const answer = dataset(ID, {
      expiryTime: 0,
      createDate: Number.MAX_SAFE_INTEGER,
      status: { overview: 'Uploaded', itemCount: 50, updateTime: 1723697121735 }
    })
    const { dataset: read, unknownNumbers } = parseDataset(answer, 'GET')
    expect(read).toBe(answer)
    expect(unknownNumbers).toEqual([])
  })

  test('a listing keeps the entry and drops only the field', () => {
    const page = parseDatasetPage(
      { data: [dataset(ID, { expiryTime: -1, createDate: 5 }), dataset('dataset_b')] },
      'GET datasets'
    )
    expect(page.data.map(d => [d.id, d.expiryTime, d.createDate])).toEqual([
      [ID, undefined, 5],
      ['dataset_b', undefined, undefined]
    ])
    expect(page.unknownNumbers).toEqual([{ datasetId: ID, field: 'expiryTime', value: -1 }])
    expect(page.rejected).toEqual([])
  })
})

describe('the rest of an answer', () => {
  test('a status.source that is not an object is refused (the upload URL is looked up in it)', () => {
    expect(() =>
      parseDataset(dataset(ID, { status: { overview: 'Waiting', source: 'x' } }), 'GET')
    ).toThrow(/status\.source is not an object/)
  })

  test.each([
    [
      { id: ID, deleted: true },
      { id: ID, deleted: true }
    ],
    [{ deleted: false }, { deleted: false }],
    [{ id: null, deleted: true }, { deleted: true }]
  ])('the delete answer %j', (answer, read) => {
    expect(parseDeleteAnswer(answer, 'DELETE')).toEqual(read)
  })

  test.each([{ id: 7, deleted: true }, { id: ID }, []])(
    'the delete answer %j is refused',
    answer => {
      expect(() => parseDeleteAnswer(answer, 'DELETE')).toThrow(BadAnswerError)
    }
  )
})
