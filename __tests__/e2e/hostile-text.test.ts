import { describe, expect, test } from '@jest/globals'
import {
  apiCalls,
  creds,
  expiredTimes,
  uploads,
  useEmulators,
  workspaceWith
} from '../support/e2e.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'
import type { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

/**
 * Outside text that used to cost minutes (a regular expression backtracking over a long name or
 * an error page) or that carries a credential back in: end to end through dist/index.js. A step
 * that hangs is killed at RUN_LIMIT_MS, far above what it takes (a second or two) and far below
 * what the backtracking took, and then fails on its exit code.
 */
const start = useEmulators()
const RUN_LIMIT_MS = 30_000
const TEST_LIMIT_MS = 60_000
const DAY = 86_400_000
const MEGABYTE = 1024 * 1024
const ITEMS = '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'

function wireDataset(id: string, name: string, times: { createDate: number; expiryTime: number }) {
  return {
    id,
    object: 'dataset',
    name,
    projectId: 'proj_ca5fe71e7592bbcf7705ea36e4f29ed4',
    ...times,
    status: { overview: 'Uploaded', message: 'Uploaded Dataset', itemCount: 2 }
  }
}

/** The project's listing, answered by the API as one page holding exactly `names`. */
function answerListing(e: Emulator, names: string[], times: ReturnType<typeof expiredTimes>) {
  const data = names.map((name, i) =>
    wireDataset(`dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f6${i}`, name, times)
  )
  e.fault({
    server: 'api',
    method: 'GET',
    path: `/projects/${e.projectId}/batch/datasets`,
    respond: { status: 200, body: JSON.stringify({ nextPage: null, prevPage: null, data }) },
    times: Infinity
  })
}

const names = (run: ActionRun) =>
  (JSON.parse(run.outputs.datasets ?? '[]') as Array<{ name: string }>).map(d => d.name)

describe('name-pattern against a name of about 1 MB from the API', () => {
  test(
    'list: *a*a*a*a*a*a*a*a*a*b leaves the long name out, and the step ends with its outputs',
    async () => {
      const e = await start()
      const now = Date.now()
      answerListing(e, ['a'.repeat(MEGABYTE), 'aaaaaaaaab'], {
        createDate: now,
        expiryTime: now + DAY
      })
      const run = expectSuccess(
        await runAction(
          { operation: 'list', 'name-pattern': '*a*a*a*a*a*a*a*a*a*b', ...creds(e) },
          { timeoutMs: RUN_LIMIT_MS }
        )
      )
      expect(names(run)).toEqual(['aaaaaaaaab'])
      expect(run.outputs.count).toBe('1')
      expect(run.stdout).toContain('1 of 2 datasets in the project listed; hidden: 1 not matching')
    },
    TEST_LIMIT_MS
  )

  test(
    'cleanup: ci-*-*-tmp selects only the names that match, the long one kept',
    async () => {
      const e = await start()
      answerListing(e, [`ci-${'-'.repeat(MEGABYTE)}`, 'ci-1-2-tmp'], expiredTimes())
      const run = expectSuccess(
        await runAction(
          { operation: 'cleanup', 'name-pattern': 'ci-*-*-tmp', 'dry-run': 'true', ...creds(e) },
          { timeoutMs: RUN_LIMIT_MS }
        )
      )
      expect(names(run)).toEqual(['ci-1-2-tmp'])
      expect(run.stdout).toContain('Dry run: would delete 1 and keep 1 of 2 datasets')
      expect(apiCalls(e, 'DELETE')).toHaveLength(0)
    },
    TEST_LIMIT_MS
  )
})

describe('an HTML error page built to make a title search quadratic', () => {
  test(
    '240 KB of <title openings, answered to every try: the step fails promptly, naming an HTML page',
    async () => {
      const e = await start()
      const page = `<!DOCTYPE html><html><head>${'<title'.repeat(40_000)}`
      e.fault({
        server: 'api',
        method: 'GET',
        respond: { status: 502, headers: { 'content-type': 'text/html' }, body: page },
        times: Infinity
      })
      const run = await runAction(
        {
          operation: 'get',
          'dataset-id': 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60',
          ...creds(e)
        },
        { timeoutMs: RUN_LIMIT_MS }
      )
      expect(run.code).toBe(1)
      expect(run.failure).toContain('an HTML page')
      expect(run.failure).not.toContain('<title')
      expect(apiCalls(e)).toHaveLength(5)
    },
    TEST_LIMIT_MS
  )
})

describe('the API repeating a credential in a dataset', () => {
  test(
    'the key and the signed URL, in name and status.message of the get answers: in no output, log line or summary',
    async () => {
      const e = await start()
      const crc32c = referenceCrc32cBase64(Buffer.from(ITEMS))
      const seeded = e.addDataset({
        name: 'x',
        status: 'Waiting',
        sizeBytes: Buffer.byteLength(ITEMS),
        crc32c
      })
      const url = seeded.status.source.uploadUrl?.url ?? ''
      const signature = new URL(url).searchParams.get('X-Goog-Signature') ?? ''
      expect(signature.length).toBeGreaterThan(32)
      // The create answer hands out the seeded dataset, so its signed URL is the one the action
      // uploads through (and masks).
      e.fault({
        server: 'api',
        method: 'POST',
        respond: { status: 201, body: JSON.stringify(seeded) }
      })
      e.fault({
        server: 'api',
        method: 'GET',
        path: `/projects/${e.projectId}/batch/datasets/${seeded.id}`,
        respond: () => {
          const now = e.dataset(seeded.id)
          if (!now) throw new Error('the seeded dataset is gone')
          return {
            status: 200,
            body: JSON.stringify({
              ...now,
              name: `x Secret-Key: ${e.secretKey} at ${url}`,
              status: {
                ...now.status,
                message: `echo ${encodeURIComponent(e.secretKey)} ${encodeURIComponent(url)} ${encodeURIComponent(encodeURIComponent(url))}`
              }
            })
          }
        },
        times: Infinity
      })
      const run = expectSuccess(
        await runAction(
          {
            operation: 'create',
            path: 'a.ndjson',
            name: 'x',
            'poll-interval': '0.05',
            ...creds(e)
          },
          { workspace: workspaceWith({ 'a.ndjson': ITEMS }), timeoutMs: RUN_LIMIT_MS }
        )
      )
      expect(uploads(e)).toHaveLength(1)
      expect(run.outputs.status).toBe('Uploaded')
      expect(run.outputs.name).toBe('x Secret-Key: *** at ***')
      const dataset = JSON.parse(run.outputs.dataset ?? '') as {
        name: string
        status: { message: string }
      }
      expect(dataset.name).toBe('x Secret-Key: *** at ***')
      expect(dataset.status.message).toBe('echo *** *** ***')

      const log = run.stdout
        .split('\n')
        .filter(line => !line.startsWith('::add-mask::'))
        .join('\n')
      const places = {
        outputs: Object.values(run.outputs).join('\n'),
        log,
        stderr: run.stderr,
        summary: run.summary
      }
      const credentials = [
        ...pieces(e.secretKey),
        url,
        encodeURIComponent(url),
        encodeURIComponent(encodeURIComponent(url)),
        signature
      ]
      for (const [place, text] of Object.entries(places)) {
        expect([place, credentials.filter(c => text.includes(c))]).toEqual([place, []])
      }
    },
    TEST_LIMIT_MS
  )
})

/** Every 8-character piece of a key: none may survive anywhere. */
function pieces(key: string): string[] {
  return Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8))
}
