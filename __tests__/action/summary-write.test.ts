import { afterEach, describe, expect, jest, test } from '@jest/globals'

const warning = jest.fn<(message: string) => void>()
const written: string[] = []
const write = jest.fn(async () => undefined)
jest.unstable_mockModule('@actions/core', () => ({
  warning,
  summary: {
    addRaw(html: string) {
      written.push(html)
      return { write }
    }
  }
}))
const { writeSummary } = await import('../../src/action/summary/write.js')

const before = process.env.GITHUB_STEP_SUMMARY
afterEach(() => {
  if (before === undefined) delete process.env.GITHUB_STEP_SUMMARY
  else process.env.GITHUB_STEP_SUMMARY = before
  written.length = 0
  warning.mockClear()
  write.mockClear()
})

describe('writeSummary', () => {
  test('writes what the builder builds', async () => {
    process.env.GITHUB_STEP_SUMMARY = '/runner/summary.md'
    await writeSummary(() => '<h3>✅ Done</h3>\n')
    expect(written).toEqual(['<h3>✅ Done</h3>\n'])
    expect(write).toHaveBeenCalledTimes(1)
    expect(warning).not.toHaveBeenCalled()
  })

  test('a builder that throws (a bug) costs a warning, never the step', async () => {
    process.env.GITHUB_STEP_SUMMARY = '/runner/summary.md'
    await expect(
      writeSummary(() => {
        throw new TypeError('facts.dataset is undefined')
      })
    ).resolves.toBeUndefined()
    expect(written).toEqual([])
    expect(warning.mock.calls[0]?.[0]).toMatch(
      /^Could not build the job summary, a bug in nexus-dataset-action .*: facts\.dataset is undefined$/
    )
  })

  test('outside a runner nothing is built or written', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    const build = jest.fn(() => 'x')
    await writeSummary(build)
    expect(build).not.toHaveBeenCalled()
    expect(written).toEqual([])
  })
})
