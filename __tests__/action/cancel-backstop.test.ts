/**
 * What the cancel backstop's failure line says may be left in Nexus when it gives up on a
 * clean-up (src/main.ts); the backstop firing in a real process is in __tests__/e2e/cancel.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import { mayBeLeft } from '../../src/main.js'
import type { Dataset, DatasetId } from '../../src/nexus/types.js'
import type { StepFacts } from '../../src/operations/context.js'

const ID = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60' as DatasetId
const WAITING: Dataset = {
  id: ID,
  object: 'dataset',
  name: 'nightly',
  projectId: 'proj_ca5fe71e7592bbcf7705ea36e4f29ed4',
  createDate: 0,
  expiryTime: 864_000_000,
  status: { overview: 'Waiting', message: 'Waiting for upload', itemCount: 0 }
}
const facts = (more: Partial<StepFacts>): StepFacts => ({ durations: {}, ...more })

describe('mayBeLeft: what a given-up clean-up may leave', () => {
  test('a created dataset not yet uploaded nor deleted: its id and how to delete it', () => {
    expect(mayBeLeft('create', facts({ dataset: WAITING }))).toBe(
      ` Dataset ${ID} may be left Waiting: delete it with operation: delete, dataset-id: ${ID}.`
    )
  })

  test('a create request without an answer: the name to look for', () => {
    expect(mayBeLeft('create', facts({ unansweredCreate: { name: 'nightly' } }))).toBe(
      ' A create request was under way: a dataset named "nightly" may exist; find it with operation: list.'
    )
  })

  test.each<[string, Partial<StepFacts>]>([
    ['nothing created yet', {}],
    ['the dataset was deleted', { dataset: WAITING, deleted: true }],
    ['the dataset was reused, not made', { dataset: WAITING, reused: true }],
    [
      'the file was uploaded: the dataset goes on',
      {
        dataset: WAITING,
        upload: { bytesPerSecond: 1, attempts: 1 }
      }
    ]
  ])('create, %s: nothing', (_name, more) => {
    expect(mayBeLeft('create', facts(more))).toBe('')
  })

  test.each(['wait', 'cleanup', 'delete', undefined] as const)(
    'operation %s makes nothing: nothing',
    operation => {
      expect(mayBeLeft(operation, facts({ dataset: WAITING }))).toBe('')
    }
  )
})
