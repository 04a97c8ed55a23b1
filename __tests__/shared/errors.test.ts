import { describe, expect, test } from '@jest/globals'
import { runInNewContext } from 'node:vm'
import { UploadError, errorMessage } from '../../src/shared/errors.js'
import { t } from '../../src/shared/outside-text.js'

describe('ActionError.restated', () => {
  test('the same failure with more words: class, name and fields kept, the original untouched', () => {
    const original = new UploadError(t`The upload was refused (HTTP 403).`, 403, 'AccessDenied')
    const told = original.restated(
      t`The upload was refused (HTTP 403). Dataset x could not be deleted.`
    )
    expect(told).toBeInstanceOf(UploadError)
    expect(told.name).toBe('UploadError')
    expect([told.status, told.storageCode]).toEqual([403, 'AccessDenied'])
    expect(told.message).toBe('The upload was refused (HTTP 403). Dataset x could not be deleted.')
    expect(told.stack).toContain('Dataset x could not be deleted')
    expect(original.message).toBe('The upload was refused (HTTP 403).')
  })

  test("outside text with replacement patterns ($&, $') lands in the stack as written", () => {
    const original = new UploadError(t`Refused.`, 403, 'AccessDenied')
    const told = original.restated(t`Refused. Dataset ${"a$&b$'c"} kept.`)
    expect(told.stack).toContain("Refused. Dataset a$&b$'c kept.")
  })
})

describe('errorMessage', () => {
  test.each<[string, unknown, string]>([
    ['an Error: its message', new TypeError('bad type'), 'bad type'],
    [
      'an Error from another realm: its message',
      runInNewContext("new Error('elsewhere')"),
      'elsewhere'
    ],
    ['a string: as it is', 'plain words', 'plain words'],
    ['anything else: as text', 42, '42']
  ])('%s', (_name, thrown, expected) => {
    expect(errorMessage(thrown)).toBe(expected)
  })
})
