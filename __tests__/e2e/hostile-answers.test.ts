import { beforeEach, describe, expect, test } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import {
  apiCalls,
  creds,
  expiredTimes,
  SOME_DATASET_ID as ID,
  uploads,
  useEmulators,
  workspaceWith
} from '../support/e2e.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'
import type { Emulator, WireDataset } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

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
      'a status.source that is not an object',
      JSON.stringify({ id: ID, name: 'x', status: { overview: 'Uploaded', source: 'x' } }),
      /status\.source is not an object/
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

/** A well-formed id the step did not ask about. */
const OTHER = 'dataset_0f0f0f0f-1111-4222-8333-444444444444'
const ITEMS = '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'
/** Stands for a value JSON.stringify cannot write (1e309), put in by `withRaw`. */
const RAW = '\u0000raw\u0000'

/** `value` as JSON, with the one string RAW in it replaced by the JSON text `raw`, as is. */
function withRaw(value: unknown, raw: string): string {
  return JSON.stringify(value).replace(JSON.stringify(RAW), raw)
}

/** `levels` arrays inside one another, innermost empty. */
function nested(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels)
}

/** A dataset's JSON with one more field, `x`, nested `levels` deep. */
function deepDataset(d: WireDataset, levels: number): string {
  return withRaw({ ...d, x: RAW }, nested(levels))
}

const warnings = (run: ActionRun): string[] =>
  run.commands.filter(c => c.command === 'warning').map(c => c.message)

/** Runs wait on dataset `id` (polling every 50 ms), its n-th read answered with `answer(n)`. */
function waitWith(id: string, answer: (n: number) => unknown): Promise<ActionRun> {
  emu.fault({
    server: 'api',
    method: 'GET',
    respond: (_request, n) => ({ status: 200, body: JSON.stringify(answer(n)) }),
    times: Infinity
  })
  return runAction({ operation: 'wait', 'dataset-id': id, 'poll-interval': '0.05', ...creds(emu) })
}

/** Every listing request is answered with `data`, as one page. */
function listingOf(e: Emulator, data: () => unknown[] | string): void {
  e.fault({
    server: 'api',
    method: 'GET',
    path: `/projects/${e.projectId}/batch/datasets`,
    respond: () => {
      const items = data()
      return {
        status: 200,
        body:
          typeof items === 'string'
            ? `{"nextPage": null, "prevPage": null, "data": ${items}}`
            : JSON.stringify({ nextPage: null, prevPage: null, data: items })
      }
    },
    times: Infinity
  })
}

describe('counts and times that are not whole numbers from 0 up are unknown', () => {
  test.each([
    ['1e309', 'Infinity (a number too large to hold)'],
    ['-3', '-3'],
    ['2.5', '2.5'],
    ['null', 'null'],
    ['"lots"', '"lots"']
  ])(
    'get, status.itemCount %s: no item-count, nothing odd in the summary, one warning',
    async (raw, shown) => {
      const seeded = emu.addDataset({ name: 'n', status: 'Uploaded', itemCount: 5 })
      const run = expectSuccess(
        await getWith(
          withRaw({ ...seeded, id: ID, status: { ...seeded.status, itemCount: RAW } }, raw)
        )
      )
      expect(run.outputs['item-count']).toBeUndefined()
      expect(JSON.parse(run.outputs.dataset).status).not.toHaveProperty('itemCount')
      expect(run.outputs.status).toBe('Uploaded')
      expect(run.summary).not.toMatch(/Infinity|\bnull\b|NaN/)
      expect(warnings(run)).toEqual([
        `Nexus gave status.itemCount ${shown} for dataset ${ID}, not a whole number from 0 up; it is treated as unknown (not compared with the file) and left out of the outputs and the summary.`
      ])
    }
  )

  test('get, expiryTime 1e309 and createDate -1: no expiry-time, no odd dates, a warning each', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded', itemCount: 5 })
    const body = withRaw({ ...seeded, id: ID, expiryTime: RAW, createDate: -1 }, '1e309')
    const run = expectSuccess(await getWith(body))
    expect(run.outputs['expiry-time']).toBeUndefined()
    expect(run.outputs['item-count']).toBe('5')
    const dataset = JSON.parse(run.outputs.dataset)
    expect(dataset).not.toHaveProperty('expiryTime')
    expect(dataset).not.toHaveProperty('createDate')
    expect(run.summary).not.toMatch(/Infinity|\bnull\b|NaN|1969|1970|Invalid/)
    expect(warnings(run).map(w => w.slice(0, w.indexOf(' for dataset')))).toEqual([
      'Nexus gave expiryTime Infinity (a number too large to hold)',
      'Nexus gave createDate -1'
    ])
  })

  test('wait: the same unknown count at every poll is warned about once', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Processing' })
    const run = expectSuccess(
      await waitWith(seeded.id, n => ({
        ...seeded,
        status: { ...seeded.status, overview: n < 2 ? 'Processing' : 'Uploaded', itemCount: -3 }
      }))
    )
    expect(apiCalls(emu, 'GET')).toHaveLength(3)
    expect(run.outputs['item-count']).toBeUndefined()
    expect(warnings(run)).toHaveLength(1)
    expect(warnings(run)[0]).toMatch(/^Nexus gave status\.itemCount -3 for dataset /)
  })

  test('cleanup deletes nothing on an expiry time or creation date it cannot read', async () => {
    const odd: Record<string, Record<string, unknown>> = {}
    for (const [field, value] of [
      ['expiryTime', -1],
      ['expiryTime', 2.5],
      ['expiryTime', '2020-01-01'],
      ['createDate', -5],
      ['createDate', null]
    ] as const) {
      // Not expired and created an hour ago: only the odd value could get it selected.
      const d = emu.addDataset({
        name: `odd-${field}`,
        createDate: Date.now() - 3_600_000,
        expiryTime: Date.now() + 86_400_000
      })
      odd[d.id] = { [field]: value }
    }
    const expired = emu.addDataset({ name: 'expired', ...expiredTimes() })
    listingOf(emu, () => emu.datasets().map(d => ({ ...d, ...odd[d.id] })))
    const run = expectSuccess(
      await runAction({ operation: 'cleanup', 'older-than': '2h', ...creds(emu) })
    )
    expect(apiCalls(emu, 'DELETE').map(r => r.path.split('/').pop())).toEqual([expired.id])
    expect(
      emu
        .datasets()
        .map(d => d.id)
        .sort()
    ).toEqual(Object.keys(odd).sort())
    expect(warnings(run)).toHaveLength(5)
    expect(warnings(run)[0]).toContain('it is treated as unknown (not expired: cleanup keeps it)')
    expect(run.outputs.count).toBe('1')
  })

  test('if-exists reuse: a namesake whose creation date is 1e309 is not taken for the newest', async () => {
    const now = Date.now()
    const dated = emu.addDataset({ name: 'n', status: 'Uploaded', itemCount: 2, createDate: now })
    const undated = emu.addDataset({
      name: 'n',
      status: 'Uploaded',
      itemCount: 2,
      createDate: now - 1000
    })
    listingOf(emu, () => withRaw([dated, { ...undated, createDate: RAW }], '1e309'))
    const run = expectSuccess(
      await runAction(
        { operation: 'create', path: 'a.ndjson', name: 'n', 'if-exists': 'reuse', ...creds(emu) },
        { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
      )
    )
    expect(run.outputs['dataset-id']).toBe(dated.id)
    expect(apiCalls(emu, 'POST')).toHaveLength(0)
  })
})

describe('an answer about another dataset is refused', () => {
  const refused = (asked: string) =>
    `Nexus answered about dataset ${OTHER} when asked for ${asked}; the answer is not used.`

  test('get', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await getWith(JSON.stringify({ ...seeded, id: OTHER }))
    expect(run.code).toBe(1)
    expect(run.failure).toContain(refused(ID))
    expect(run.outputs['dataset-id']).toBeUndefined()
  })

  test('wait: at a later poll', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Processing' })
    const run = await waitWith(seeded.id, n =>
      n < 2 ? seeded : { ...seeded, id: OTHER, status: { overview: 'Uploaded' } }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain(refused(seeded.id))
    expect(run.outputs['dataset-id']).toBe(seeded.id)
    expect(run.outputs.status).toBe('Processing')
  })

  test('delete: a read about another dataset stops before any DELETE', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    emu.fault({
      server: 'api',
      method: 'GET',
      respond: { status: 200, body: JSON.stringify({ ...seeded, id: OTHER }) }
    })
    const run = await runAction({ operation: 'delete', 'dataset-id': seeded.id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(refused(seeded.id))
    expect(apiCalls(emu, 'DELETE')).toHaveLength(0)
    expect(emu.dataset(seeded.id)).toBeDefined()
    expect(run.outputs.deleted).toBeUndefined()
  })

  test('delete: a DELETE answer naming another dataset is not taken for done', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    emu.fault({
      server: 'api',
      method: 'DELETE',
      respond: { status: 200, body: JSON.stringify({ id: OTHER, deleted: true }) }
    })
    const run = await runAction({ operation: 'delete', 'dataset-id': seeded.id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(
      `Nexus answered about dataset "${OTHER}" when asked for ${seeded.id} to be deleted; the answer is not used, so whether ${seeded.id} is deleted is not known.`
    )
    expect(apiCalls(emu, 'DELETE')).toHaveLength(1)
    expect(run.outputs.deleted).toBeUndefined()
  })
})

describe('answers nested too deep are refused before they are read', () => {
  test('get: an answer nested 100 deep fails with one clear line', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await getWith(deepDataset({ ...seeded, id: ID }, 100))
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      `The Nexus API's answer to reading dataset ${ID} is nested deeper than 64 levels; it is not a Nexus answer. Check that \`api-url\` points at the Nexus API, and the runner's proxy settings (\`https_proxy\`, \`no_proxy\`).`
    )
    expect(run.stdout + run.stderr).not.toMatch(/call stack|RangeError|\n\s+at /)
  })

  /**
   * The create is answered as Nexus would answer it (the dataset is made, Waiting for the file),
   * but with `body` made of that answer.
   */
  function createAnswered(e: Emulator, name: string, body: (made: WireDataset) => string): void {
    const bytes = Buffer.from(ITEMS)
    e.fault({
      server: 'api',
      method: 'POST',
      respond: () => {
        const made = e.addDataset({
          name,
          status: 'Waiting',
          sizeBytes: bytes.length,
          crc32c: referenceCrc32cBase64(bytes)
        })
        return { status: 201, body: body(made) }
      }
    })
  }

  const create = (e: Emulator, env?: Record<string, string>): Promise<ActionRun> =>
    runAction(
      { operation: 'create', path: 'a.ndjson', name: 'deep', 'poll-interval': '0.05', ...creds(e) },
      { workspace: workspaceWith({ 'a.ndjson': ITEMS }), env, timeoutMs: 60_000 }
    )

  test('create: a create answer nested a million deep is refused; the dataset it made is found and filled', async () => {
    createAnswered(emu, 'deep', made => deepDataset(made, 1_000_000))
    const run = expectSuccess(await create(emu))
    expect(run.stdout).toContain('an answer that is not a dataset')
    expect(run.stdout).toMatch(
      /Dataset dataset_\S+ was created by an attempt whose answer was lost; using it\./
    )
    expect(run.stdout + run.stderr).not.toMatch(/call stack|RangeError/)
    expect(apiCalls(emu, 'POST')).toHaveLength(1)
    expect(emu.datasets().map(d => [d.id, d.status.overview])).toEqual([
      [run.outputs['dataset-id'], 'Uploaded']
    ])
  }, 90_000)

  test('create: the read after the upload nested a million deep fails clearly; the uploaded dataset is kept', async () => {
    emu.fault({
      server: 'api',
      method: 'GET',
      path: /\/datasets\/dataset_/,
      respond: request => {
        const made = emu.dataset(request.path.split('/').pop() ?? '')
        return { status: 200, body: made ? deepDataset(made, 1_000_000) : '{}' }
      },
      times: Infinity
    })
    const run = await create(emu)
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(
      /^The Nexus API's answer to reading dataset dataset_\S+ is nested deeper than 64 levels; it is not a Nexus answer/
    )
    expect(run.stdout + run.stderr).not.toMatch(/call stack|RangeError/)
    expect(uploads(emu).map(u => u.answered)).toEqual([200])
    expect(apiCalls(emu, 'DELETE')).toHaveLength(0)
    expect(emu.datasets().map(d => d.status.overview)).toEqual(['Uploaded'])
  }, 90_000)

  test('create: a failure after the create answer (outputs that cannot be written) deletes the dataset', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nexus-outputs-'))
    try {
      const outputFile = path.join(dir, 'output.txt')
      writeFileSync(outputFile, '')
      // The runner's output file goes away just as Nexus answers the create.
      createAnswered(emu, 'deep', made => {
        unlinkSync(outputFile)
        return JSON.stringify(made)
      })
      const run = await create(emu, { GITHUB_OUTPUT: outputFile })
      expect(run.code).toBe(1)
      expect(existsSync(outputFile)).toBe(false)
      expect(uploads(emu)).toHaveLength(0)
      expect(apiCalls(emu, 'DELETE')).toHaveLength(1)
      expect(emu.datasets()).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a listing that names a dataset twice uses it once', () => {
  test.each([
    ['the whole listing', {}],
    ['one page', { page: 'some-cursor' }]
  ])('list, %s: count 1, one warning', async (_label, inputs) => {
    const seeded = emu.addDataset({ name: 'twice', status: 'Uploaded' })
    listingOf(emu, () => [seeded, { ...seeded, name: 'second' }])
    const run = expectSuccess(await runAction({ operation: 'list', ...inputs, ...creds(emu) }))
    expect(run.outputs.count).toBe('1')
    expect(JSON.parse(run.outputs.datasets)).toEqual([
      expect.objectContaining({ id: seeded.id, name: 'twice' })
    ])
    expect(warnings(run)).toEqual([
      'The listing named 1 dataset more than once; each is used once.'
    ])
  })

  test('cleanup: one DELETE for a dataset listed twice', async () => {
    const seeded = emu.addDataset({ name: 'old', ...expiredTimes() })
    listingOf(emu, () => [seeded, seeded, seeded])
    const run = expectSuccess(await runAction({ operation: 'cleanup', ...creds(emu) }))
    expect(apiCalls(emu, 'DELETE')).toHaveLength(1)
    expect(run.outputs.count).toBe('1')
    expect(warnings(run)).toEqual([
      'The listing named 1 dataset more than once; each is used once.'
    ])
  })
})
