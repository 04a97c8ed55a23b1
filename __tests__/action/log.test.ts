import { describe, expect, jest, test } from '@jest/globals'

// @github/local-action's stub of setFailed records the failure and leaves the exit code alone.
const setFailed = jest.fn<(message: string) => void>()
jest.unstable_mockModule('@actions/core', () => ({ setFailed }))
const { fail } = await import('../../src/action/log.js')
const { t } = await import('../../src/shared/outside-text.js')

describe('fail', () => {
  test('sets exit code 1 itself, so a harness that stubs @actions/core still sees the failure', () => {
    const before = process.exitCode
    try {
      process.exitCode = 0
      fail(t`Something went wrong.`)
      expect(setFailed).toHaveBeenCalledWith('Something went wrong.')
      expect(process.exitCode).toBe(1)
    } finally {
      process.exitCode = before
    }
  })
})
