import { describe, expect, test } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import {
  apiCalls,
  creds,
  expiredTimes,
  SOME_DATASET_ID as ID,
  startWithStaleUploadUrls,
  uploads,
  useEmulators,
  workspaceWith
} from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'
import { posixTest, symlinkTest } from '../support/platform.js'

/**
 * The trust boundary, end to end through dist/index.js: one test per class of attack on text and
 * answers the action does not control (the API's answers, the repository's files, text inputs).
 * Every payload carries PWNED, so a forged runner command is easy to spot.
 */
const start = useEmulators()
const DAY = 86_400_000
const ITEMS = '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'

/**
 * Lines of the step's log the runner would run as a command the payload chose (`::name::PWNED`,
 * `::set-output name=x::PWNED`, `##[…]` anywhere), or that carry a raw ANSI escape. The action's
 * own warnings may quote a payload, made inert, after their own `::warning::`.
 */
function forged(run: ActionRun): string[] {
  return run.stdout
    .split(/\r?\n/)
    .filter(
      line => /^\s*::[^:]*::\s*PWNED/.test(line) || line.includes('##[') || line.includes('\u001b')
    )
}

function wireDataset(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ID,
    object: 'dataset',
    name: 'plain',
    projectId: 'proj_ca5fe71e7592bbcf7705ea36e4f29ed4',
    expiryTime: Date.now() + DAY,
    createDate: Date.now(),
    status: { overview: 'Uploaded', message: 'Uploaded Dataset', itemCount: 2 },
    ...overrides
  }
}

function answerGet(e: Emulator, dataset: Record<string, unknown>): void {
  e.fault({
    server: 'api',
    method: 'GET',
    path: /\/datasets\/dataset_/,
    respond: { status: 200, body: JSON.stringify(dataset) },
    times: Infinity
  })
}

describe('1. outside text cannot start a runner command', () => {
  const HOSTILE = {
    name: 'n\n::set-output name=dataset-id::PWNED',
    overview: 'Processing\r::warning::PWNED \u001b[31mred',
    message: 'x\n##[stop-commands]PWNED'
  }

  test('get: name, status and message from the API', async () => {
    const e = await start()
    answerGet(
      e,
      wireDataset({
        name: HOSTILE.name,
        status: { overview: HOSTILE.overview, message: HOSTILE.message }
      })
    )
    const run = expectSuccess(await runAction({ operation: 'get', 'dataset-id': ID, ...creds(e) }))
    expect(forged(run)).toEqual([])
    expect(run.stdout).toContain('is Processing ::warning::PWNED \\u001b[31mred')
    // Outputs carry the API's values exactly: they are data, not log lines.
    expect(run.outputs.status).toBe(HOSTILE.overview)
  })

  test('wait: a failure message from the API', async () => {
    const e = await start()
    answerGet(
      e,
      wireDataset({ status: { overview: 'FailedProcessing', message: HOSTILE.message } })
    )
    const run = await runAction({ operation: 'wait', 'dataset-id': ID, ...creds(e) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('(x ##\\u005bstop-commands]PWNED)') // visibly defused
    expect(forged(run)).toEqual([])
  })

  test('create with wait: false: the status after the upload', async () => {
    const e = await start()
    e.fault({
      server: 'api',
      method: 'GET',
      path: /\/datasets\/dataset_/,
      respond: (request: { path: string }) => ({
        status: 200,
        body: JSON.stringify(
          wireDataset({
            id: request.path.split('/').pop(),
            status: { overview: HOSTILE.overview }
          })
        )
      }),
      times: Infinity
    })
    const run = expectSuccess(
      await runAction(
        { operation: 'create', path: 'a.ndjson', wait: 'false', name: 'x', ...creds(e) },
        { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
      )
    )
    expect(run.stdout).toContain('(wait: false, not waiting)')
    expect(forged(run)).toEqual([])
  })

  test('cleanup dry run: names of the datasets it would delete', async () => {
    const e = await start()
    e.addDataset({ name: HOSTILE.name, ...expiredTimes() })
    e.addDataset({ name: HOSTILE.overview, ...expiredTimes() })
    const run = expectSuccess(
      await runAction({ operation: 'cleanup', 'dry-run': 'true', ...creds(e) })
    )
    expect(run.stdout.match(/^Would delete dataset_/gm)).toHaveLength(2)
    expect(forged(run)).toEqual([])
  })

  posixTest(
    'create: the target of a symbolic link, a file name the repository chose',
    'file names with line breaks and escapes',
    async () => {
      const e = await start()
      const hostileName = 'x\n::warning::PWNED\u001b[1m.ndjson'
      const workspace = workspaceWith({ [hostileName]: ITEMS })
      symlinkSync(path.join(workspace, hostileName), path.join(workspace, 'a.ndjson'))
      const run = expectSuccess(
        await runAction(
          {
            operation: 'create',
            path: 'a.ndjson',
            name: 'x',
            'poll-interval': '0.05',
            ...creds(e)
          },
          { workspace }
        )
      )
      expect(run.stdout).toContain('is a symbolic link to')
      expect(forged(run)).toEqual([])
    }
  )

  test.each([
    ['path', { operation: 'create', path: 'a\n::warning::PWNED.ndjson' }],
    ['name-pattern', { operation: 'cleanup', 'name-pattern': 'a*\r::add-mask::PWNED' }]
  ])('the %s input with a line break is refused, and shown inert', async (name, inputs) => {
    const e = await start()
    const run = await runAction({ ...inputs, ...creds(e) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(`Input "${name}" must not contain control characters`)
    expect(forged(run)).toEqual([])
    expect(e.requests).toHaveLength(0)
  })
})

describe('2. ids from the API are checked before any URL is built from them', () => {
  test('cleanup deletes only …/batch/datasets/<valid id>, and names the entries it skipped', async () => {
    const e = await start()
    for (let i = 0; i < 2; i++) e.addDataset({ name: `old-${i}`, ...expiredTimes() })
    const expired = expiredTimes()
    e.fault({
      server: 'api',
      method: 'GET',
      path: `/projects/${e.projectId}/batch/datasets`,
      respond: () => ({
        status: 200,
        body: JSON.stringify({
          nextPage: null,
          prevPage: null,
          data: [
            wireDataset({ id: '.', ...expired }),
            wireDataset({ id: '..', ...expired }),
            wireDataset({ id: 'dataset_x/../../..', ...expired }),
            wireDataset({ id: 'dataset_1\n::warning::PWNED', ...expired }),
            ...e.datasets()
          ]
        })
      })
    })
    const run = expectSuccess(await runAction({ operation: 'cleanup', ...creds(e) }))
    const deletes = apiCalls(e, 'DELETE')
    expect(deletes).toHaveLength(2)
    for (const r of deletes) {
      expect(r.rawPath).toMatch(/^\/projects\/proj_[0-9a-f]+\/batch\/datasets\/dataset_[0-9a-f-]+$/)
    }
    expect(e.datasets()).toHaveLength(0)
    const skipped = run.commands.filter(
      c => c.command === 'warning' && c.message.startsWith('Skipped entry')
    )
    expect(skipped.map(c => /entry (\d+)/.exec(c.message)?.[1])).toEqual(['1', '2', '3', '4'])
    expect(run.summary).toContain('Skipped as malformed: 4.')
    expect(forged(run)).toEqual([])
  })

  test('get refuses an answer whose id is not a dataset id', async () => {
    const e = await start()
    answerGet(e, wireDataset({ id: '..' }))
    const run = await runAction({ operation: 'get', 'dataset-id': ID, ...creds(e) })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/not what it promises: the dataset id "\.\." is not dataset_/)
  })
})

describe('3. the upload request is the action’s, not the API’s', () => {
  function createAnswer(e: Emulator, uploadUrl: Record<string, unknown>): void {
    e.fault({
      server: 'api',
      method: 'POST',
      respond: {
        status: 201,
        body: JSON.stringify(
          wireDataset({
            name: 'x',
            status: {
              overview: 'Waiting',
              source: { kind: 'UploadedNewlineDelimitedJsonFile', uploadUrl }
            }
          })
        )
      }
    })
  }

  const headers = {
    'content-length': String(Buffer.byteLength(ITEMS)),
    'x-goog-hash': 'crc32c=AAAAAA=='
  }
  test.each([
    ['method POST', { method: 'POST' }, /asks for method "POST"; the action uploads only with PUT/],
    [
      'Transfer-Encoding from the API',
      { headers: { ...headers, 'Transfer-Encoding': 'chunked' } },
      /sets the header transfer-encoding, which only the action decides/
    ],
    ['Host', { headers: { ...headers, host: 'evil.example' } }, /sets the header host/],
    ['Secret-Key', { headers: { ...headers, 'secret-key': 'x' } }, /sets the header secret-key/],
    [
      'Authorization',
      { headers: { ...headers, Authorization: 'Bearer x' } },
      /sets the header authorization/
    ],
    [
      'plain http to a host that is not loopback',
      { url: 'http://storage.example.invalid/b/o?X-Goog-Signature=abc' },
      /uses "http:"; only https:\/\/ is accepted/
    ]
  ])('%s: refused, nothing sent, the dataset deleted', async (_label, change, expected) => {
    const e = await start()
    createAnswer(e, {
      method: 'PUT',
      url: `${e.uploadOrigin}/nexus-uploads/x/dataset.ndjson?X-Goog-Signature=abc`,
      headers,
      ...change
    })
    const run = await runAction(
      { operation: 'create', path: 'a.ndjson', name: 'x', ...creds(e) },
      { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(expected)
    expect(run.failure).toContain('Nothing was sent.')
    expect(uploads(e)).toHaveLength(0)
    expect(apiCalls(e, 'DELETE').map(r => r.path)).toEqual([
      `/projects/${e.projectId}/batch/datasets/${ID}`
    ])
    expect(run.outputs.deleted).toBe('true')
  })
})

describe('4. the job summary stays a summary', () => {
  test('a dataset name cannot end the table, nor render as markdown or HTML', async () => {
    const e = await start()
    const name =
      'a\n\n![x](https://evil.example/i.png) <img src=x onerror=alert(1)>\n\n# Owned [link](https://evil.example)'
    answerGet(e, wireDataset({ name }))
    const run = expectSuccess(await runAction({ operation: 'get', 'dataset-id': ID, ...creds(e) }))
    const table = run.summary.split('\n').filter(line => line.includes('<table>'))
    expect(table).toHaveLength(1)
    expect(table[0]).toMatch(/^<table>.*<\/table>$/)
    expect(table[0]).toContain('a\\n\\n![x](https://evil.example/i.png) &lt;img src=x')
    expect(run.summary).not.toContain('<img')
    expect(run.summary).not.toMatch(/^# Owned/m)
  })
})

describe('5. a secret is cut out before a message is shortened', () => {
  test('a server error echoing the key at the cut leaves no piece of it', async () => {
    const e = await start()
    const echo = (at: number) =>
      JSON.stringify({ message: `${'x'.repeat(at)}Secret-Key: ${e.secretKey} rest of echo` })
    e.fault({ server: 'api', method: 'GET', respond: { status: 400, body: echo(280) } })
    const run = await runAction({ operation: 'get', 'dataset-id': ID, ...creds(e) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('Secret-Key: ***')
    const log = run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')
    for (let i = 0; i + 8 <= e.secretKey.length; i++) {
      expect(log).not.toContain(e.secretKey.slice(i, i + 8))
    }
  })
})

describe('6. every walk and every answer has an end', () => {
  test('a listing whose every page points to a new one stops at the cap', async () => {
    const e = await start()
    e.fault({
      server: 'api',
      method: 'GET',
      respond: (_request: unknown, n: number) => ({
        status: 200,
        body: JSON.stringify({
          nextPage: `cursor-${n + 1}`,
          prevPage: null,
          data: [wireDataset({ name: `page-${n}` })]
        })
      }),
      times: Infinity
    })
    const run = await runAction({ operation: 'list', ...creds(e) }, { timeoutMs: 60_000 })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(
      /stopped after 1000 pages and 1000 entries.*at most 1000 pages or 100000 datasets/
    )
    expect(e.requests).toHaveLength(1000)
  }, 90_000)

  test('an upload answer that drips one byte at a time ends at request-timeout', async () => {
    const e = await start()
    e.fault({
      server: 'upload',
      respond: { status: 200, body: 'x', dripMs: 50 },
      times: Infinity
    })
    const run = await runAction(
      { operation: 'create', path: 'a.ndjson', name: 'x', 'request-timeout': '1', ...creds(e) },
      { workspace: workspaceWith({ 'a.ndjson': ITEMS }), timeoutMs: 60_000 }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/did not finish within 1 s \(after 5 attempts\)/)
    expect(uploads(e)).toHaveLength(5)
    expect(e.datasets()).toHaveLength(0)
  }, 90_000)
})

describe('7. symbolic links do not lead out of the workspace', () => {
  const outside = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nexus-outside-'))
    writeFileSync(path.join(dir, 'other.ndjson'), ITEMS)
    return dir
  }

  for (const [label, kind] of [
    ['the file is a link', 'file'],
    ['a folder on the way is a link', 'folder']
  ] as const) {
    symlinkTest(`${label} to outside: refused, with the way to allow it`, async () => {
      const e = await start()
      const target = outside()
      const workspace = workspaceWith({ 'README.md': 'x' })
      if (kind === 'file') {
        mkdirSync(path.join(workspace, 'data'))
        symlinkSync(path.join(target, 'other.ndjson'), path.join(workspace, 'data', 'other.ndjson'))
      } else {
        symlinkSync(target, path.join(workspace, 'data'))
      }
      const run = await runAction(
        { operation: 'create', path: 'data/other.ndjson', ...creds(e) },
        { workspace }
      )
      expect(run.code).toBe(1)
      expect(run.failure).toContain('data/other.ndjson leads through a symbolic link to')
      expect(run.failure).toContain('outside the workspace')
      expect(run.failure).toContain('give its real path in the workflow (path: ')
      expect(e.requests).toHaveLength(0)
    })
  }

  test('a relative path that climbs out of the workspace is refused, with the way to allow it', async () => {
    const e = await start()
    const workspace = workspaceWith({ 'README.md': 'x' })
    const outsideFile = path.join(outside(), 'other.ndjson')
    const climbing = path.relative(workspace, outsideFile)
    expect(climbing.startsWith('..')).toBe(true)
    const run = await runAction({ operation: 'check', path: climbing }, { workspace })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(`${climbing} climbs out of the workspace (to ${outsideFile})`)
    expect(run.failure).toContain(`give its absolute path in the workflow (path: ${outsideFile})`)
    expect(run.outputs['item-count']).toBeUndefined()
    expect(e.requests).toHaveLength(0)
  })

  test('a path the workflow gives outside the workspace is used as given', async () => {
    const e = await start()
    const file = path.join(outside(), 'other.ndjson')
    const run = await runAction(
      { operation: 'create', path: file, name: 'x', 'poll-interval': '0.05', ...creds(e) },
      { workspace: workspaceWith({ 'README.md': 'x' }) }
    )
    expectSuccess(run)
    expect(run.outputs.status).toBe('Uploaded')
  })
})

describe('8. a refusal sent while the body would go out is reported as that refusal', () => {
  function busyCores(n: number): ChildProcess[] {
    return Array.from({ length: n }, () =>
      spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })
    )
  }

  test('100 MiB refused at the headers with the connection reset, five times, cores busy', async () => {
    const line = '{"kind": "Image", "url": "https://storage.example.com/images/000000.jpg"}\n'
    const big = Buffer.from(line.repeat(Math.ceil((100 * 1024 * 1024) / line.length)))
    const workspace = workspaceWith({ 'big.ndjson': big })
    const busy = busyCores(2)
    try {
      for (let round = 1; round <= 5; round++) {
        const e = await startWithStaleUploadUrls(start, { keepUploads: false })
        e.fault({ server: 'upload', resetAfterAnswer: true, times: Infinity })
        const run = await runAction(
          { operation: 'create', path: 'big.ndjson', name: `expired-${round}`, ...creds(e) },
          { workspace, timeoutMs: 60_000 }
        )
        expect([round, run.code]).toEqual([round, 1])
        expect([round, run.failure]).toEqual([
          round,
          expect.stringContaining('HTTP 400 ExpiredToken')
        ])
        expect([round, run.failure]).toEqual([
          round,
          expect.stringContaining('Run the step again to get a new upload URL.')
        ])
        // Refused from the headers alone: no 100 Continue, not a body byte sent, no retry spent.
        expect([round, uploads(e).map(u => [u.continued, u.bodyBytes])]).toEqual([
          round,
          [[false, 0]]
        ])
        expect([round, e.datasets()]).toEqual([round, []])
      }
    } finally {
      for (const child of busy) child.kill('SIGKILL')
    }
  }, 180_000)
})
