import { describe, expect, test } from '@jest/globals'
import { runInNewContext } from 'node:vm'
import { advice } from '../../src/shared/advice.js'
import { UploadError, errorMessage } from '../../src/shared/errors.js'
import { t } from '../../src/shared/outside-text.js'

describe('ActionError', () => {
  test('the failure line is what happened, then the fix; a bare finding gets its full stop', () => {
    const fix = advice('storageExpired').fix
    const refused = new UploadError(t`The upload was refused (HTTP 400).`, 400, 'ExpiredToken')
    expect(refused.message).toBe('The upload was refused (HTTP 400).')
    const advised = new UploadError(
      t`The upload was refused (HTTP 400)`,
      400,
      'ExpiredToken',
      undefined,
      advice('storageExpired')
    )
    expect(advised.what).toBe('The upload was refused (HTTP 400)')
    expect(advised.message).toBe(`The upload was refused (HTTP 400). ${fix}`)
  })
})

describe('ActionError.adding', () => {
  test('the same failure with more said: class, name and fields kept, the fix still last', () => {
    const original = new UploadError(
      t`The upload was refused (HTTP 403).`,
      403,
      'AccessDenied',
      undefined,
      advice('storageRefused')
    )
    const told = original.adding(t`Dataset x could not be deleted.`)
    expect(told).toBeInstanceOf(UploadError)
    expect(told.name).toBe('UploadError')
    expect([told.status, told.storageCode]).toEqual([403, 'AccessDenied'])
    expect(told.what).toBe('The upload was refused (HTTP 403). Dataset x could not be deleted.')
    expect(told.message).toBe(`${told.what} ${advice('storageRefused').fix}`)
    expect(told.stack).toContain('Dataset x could not be deleted')
    expect(original.message).toBe(
      `The upload was refused (HTTP 403). ${advice('storageRefused').fix}`
    )
  })

  test("outside text with replacement patterns ($&, $') lands in the stack as written", () => {
    const original = new UploadError(t`Refused.`, 403, 'AccessDenied')
    const told = original.adding(t`Dataset ${"a$&b$'c"} kept.`)
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
