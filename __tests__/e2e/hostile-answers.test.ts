import { beforeEach, describe, expect, test } from '@jest/globals'
import { creds, SOME_DATASET_ID as ID, useEmulators } from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import { runAction } from '../../scripts/run-action.js'

/**
 * Answers that are not what the API promises: each gives one clear failure
 * line naming what was wrong, never a TypeError, a stack or megabytes of log.
 */
const start = useEmulators()
let emu: Emulator
beforeEach(async () => {
  emu = await start()
})

async function getWith(body: string, status = 200) {
  emu.fault({
    server: 'api',
    method: 'GET',
    respond: { status, headers: { 'content-type': 'application/json' }, body },
    times: Infinity
  })
  return runAction({
    operation: 'get',
    'dataset-id': ID,
    ...creds(emu)
  })
}

describe('answers that are not what the API promises', () => {
  test.each([
    [
      'a dataset without a status',
      JSON.stringify({ id: ID, name: 'x' }),
      /has no status\.overview/
    ],
    [
      'a dataset without a name',
      JSON.stringify({ id: ID, status: { overview: 'Uploaded' } }),
      /has no name/
    ],
    ['an array instead of a dataset', '[]', /expected a dataset object/],
    [
      'a number as itemCount',
      JSON.stringify({ id: ID, name: 'x', status: { overview: 'Uploaded', itemCount: 'lots' } }),
      /status\.itemCount is not a number/
    ],
    [
      'truncated JSON',
      '{"id": "dataset_8f14e45f-ea9c-4b6e-9d7a',
      /is not JSON: "\{"id": "dataset_8f14e45f/
    ],
    ['an empty 200', '', /is not JSON: an empty body/]
  ])('%s', async (_label, body, expected) => {
    const run = await getWith(body)
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(expected)
    expect(run.stdout + run.stderr).not.toMatch(/TypeError|\n\s+at /)
  })

  test('a huge 2xx body is cut, not buffered or logged', async () => {
    const run = await getWith(`{"pad": "${'x'.repeat(20 * 1024 * 1024)}"}`)
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/larger than 16 MiB/)
    expect(run.stdout.length).toBeLessThan(20_000)
  })

  test('a huge HTML error page becomes a short message', async () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'<p>x</p>'.repeat(200_000)}</body></html>`
    const run = await getWith(page, 502)
    expect(run.code).toBe(1)
    expect(run.failure).toContain('an HTML page titled "502 Bad Gateway"')
    expect((run.failure ?? '').length).toBeLessThan(500)
  })

  test('a list page whose cursor repeats does not loop forever', async () => {
    emu.fault({
      server: 'api',
      method: 'GET',
      respond: {
        status: 200,
        body: JSON.stringify({
          nextPage: 'same',
          prevPage: null,
          data: [{ id: ID, name: 'x', status: { overview: 'Uploaded' } }]
        })
      },
      times: Infinity
    })
    const run = await runAction({
      operation: 'list',
      ...creds(emu)
    })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/page cursor same repeats/)
  })
})
