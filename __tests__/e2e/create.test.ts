import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { appendFileSync, readFileSync, symlinkSync } from 'node:fs'
import * as path from 'node:path'
import {
  apiCalls,
  cancelWhen,
  creds,
  onceWhile,
  startWithStaleUploadUrls,
  uploads,
  useEmulators,
  workspaceWith
} from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'
import {
  crOnly,
  gzip,
  items,
  LFS_POINTER,
  prettyArray,
  prettyObjects,
  utf16be,
  utf16le,
  zip
} from '../support/wrong-format.js'
import { posixTest, symlinkTest } from '../support/platform.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'
import { formatBytes } from '../../src/shared/format.js'
import { num } from '../../src/action/summary/html.js'
import { rewriteInPlace, wholeSecondMtime } from '../support/files.js'

const start = useEmulators()

/** A gzip whose trailer's CRC-32 does not match its data. */
function corruptGzip(text: string): Buffer {
  const bytes = gzip(text)
  bytes[bytes.length - 8] ^= 0xff
  return bytes
}

function lines(n: number, offset = 0): string {
  let text = ''
  for (let i = 0; i < n; i++) {
    text += `{"kind": "Image", "url": "https://storage.example.com/images/${String(i + offset).padStart(6, '0')}.jpg"}\n`
  }
  return text
}

async function create(
  e: Emulator,
  files: Record<string, string | Buffer>,
  inputs: Record<string, string> = {}
): Promise<ActionRun> {
  const workspace = workspaceWith(files)
  return runAction(
    {
      operation: 'create',
      path: Object.keys(files)[0],
      'poll-interval': '0.05',
      ...creds(e),
      ...inputs
    },
    { workspace }
  )
}

describe('create: happy paths', () => {
  test('checks, creates, uploads the exact bytes and waits until Uploaded', async () => {
    const e = await start({ processingMs: 200 })
    const content = lines(25)
    const run = await create(e, { 'data/items.ndjson': content })
    expectSuccess(run)
    const id = run.outputs['dataset-id']
    expect(run.outputs.status).toBe('Uploaded')
    expect(run.outputs['item-count']).toBe('25')
    expect(run.outputs.name).toBe('vision-a1b2c3d-42')
    expect(e.uploadedBytes(id)?.toString()).toBe(content)
    const [post] = apiCalls(e, 'POST')
    expect(post.json).toEqual({
      name: 'vision-a1b2c3d-42',
      spec: {
        source: {
          kind: 'UploadedNewlineDelimitedJsonFile',
          sizeBytes: Buffer.byteLength(content),
          crc32c: expect.stringMatching(/^[A-Za-z0-9+/]{6}==$/)
        }
      }
    })
    const [upload] = uploads(e)
    expect(upload.headers['secret-key']).toBeUndefined()
    expect(upload.headers['transfer-encoding']).toBeUndefined()
    expect(upload.answered).toBe(200)
    expect(run.summary).toContain('data/items.ndjson')
    expect(run.summary).toContain('CRC-32C')
    // A file this small says nothing of throughput.
    expect(run.summary).not.toContain('Throughput')
  })

  test('the signed URL and its signature are masked and appear in no output, summary or log line', async () => {
    const e = await start()
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'masked' })
    expectSuccess(run)
    const upload = uploads(e)[0]
    const signature = upload.query['X-Goog-Signature']
    expect(signature).toMatch(/^[0-9a-f]{64}$/)
    const masks = run.stdout.split('\n').filter(l => l.startsWith('::add-mask::'))
    expect(masks.some(l => l.includes(signature))).toBe(true)
    const rest = run.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
    for (const haystack of [rest, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
      expect(haystack).not.toContain(signature)
      expect(haystack).not.toContain(e.secretKey)
      expect(haystack).not.toContain('X-Goog-Signature')
      expect(haystack).not.toContain(`${upload.rawPath}?`)
    }
  })

  test('wait: false reads the dataset once after the upload', async () => {
    const e = await start({ processingMs: 60_000 })
    const run = await create(e, { 'a.ndjson': lines(4) }, { wait: 'false', name: 'nowait' })
    expectSuccess(run)
    expect(run.outputs.status).toBe('Processing')
    expect(apiCalls(e, 'GET')).toHaveLength(1)
  })

  test('CRLF, blank lines and a final line without newline are fine; .txt gets a warning', async () => {
    const e = await start()
    const content =
      '{"url": "https://x/1.jpg"}\r\n\r\n  \n{"kind": "Image", "url": "https://x/2.jpg"}'
    const run = await create(e, { 'items.txt': content }, { name: 'crlf' })
    expectSuccess(run)
    expect(run.outputs['item-count']).toBe('2')
    expect(
      run.commands.some(
        c => c.command === 'warning' && c.message.includes('does not end in .ndjson')
      )
    ).toBe(true)
  })

  symlinkTest('a symbolic link is followed and said so', async () => {
    const e = await start()
    const workspace = workspaceWith({ 'real.ndjson': lines(2) })
    symlinkSync(path.join(workspace, 'real.ndjson'), path.join(workspace, 'link.ndjson'))
    const run = await runAction(
      {
        operation: 'create',
        path: 'link.ndjson',
        ...creds(e),
        'poll-interval': '0.05'
      },
      { workspace }
    )
    expectSuccess(run)
    expect(run.stdout).toContain('is a symbolic link to')
  })

  test('a gzip file: the NDJSON in it is checked, hashed and uploaded; the summary gives both sizes', async () => {
    const e = await start()
    const content = Buffer.from(lines(3000))
    const compressed = gzip(content)
    const run = await create(e, { 'data/items.ndjson.gz': compressed })
    expectSuccess(run)
    const crc32c = referenceCrc32cBase64(content)
    // The emulator answers 200 only to the signed content-length and CRC-32C: the bytes sent.
    expect(uploads(e).map(u => [u.answered, u.headers['content-length']])).toEqual([
      [200, String(content.length)]
    ])
    expect(e.uploadedBytes(run.outputs['dataset-id'])?.equals(content)).toBe(true)
    expect(apiCalls(e, 'POST')[0].json).toMatchObject({
      spec: { source: { sizeBytes: content.length, crc32c } }
    })
    expect(run.outputs).toMatchObject({
      'size-bytes': String(content.length),
      crc32c,
      'item-count': '3000'
    })
    expect(run.stdout).toContain(
      `Checked data/items.ndjson.gz: 3000 items, ${formatBytes(content.length)} (decompressed from gzip, ${formatBytes(compressed.length)} on disk), CRC-32C ${crc32c}`
    )
    expect(run.summary).toContain(
      `${formatBytes(content.length)} (${num(content.length)} bytes), decompressed from gzip: ${formatBytes(compressed.length)} (${num(compressed.length)} bytes) on disk`
    )
    // .ndjson.gz is a dataset file's name.
    expect(run.commands.filter(c => c.command === 'warning')).toEqual([])
  })

  test('a differing server item count is warned about', async () => {
    const e = await start({ itemCountOverride: 7 })
    const run = await create(e, { 'a.ndjson': lines(5) }, { name: 'count' })
    expectSuccess(run)
    expect(
      run.commands.some(c => c.command === 'warning' && /counted 7 items.*has 5/.test(c.message))
    ).toBe(true)
  })
})

describe('create: faults', () => {
  test('a connection dropped mid-body is retried with a fresh stream', async () => {
    const e = await start()
    e.fault({ server: 'upload', drop: 'mid-body' })
    const content = lines(2000)
    const run = await create(e, { 'a.ndjson': content }, { name: 'drop' })
    expectSuccess(run)
    expect(uploads(e)).toHaveLength(2)
    expect(e.uploadedBytes(run.outputs['dataset-id'])?.equals(Buffer.from(content))).toBe(true)
  })

  test('a gzip file is decompressed afresh for the retry of a dropped upload', async () => {
    const e = await start()
    e.fault({ server: 'upload', drop: 'mid-body' })
    const content = lines(20_000)
    const run = await create(e, { 'a.ndjson.gz': gzip(content) }, { name: 'drop' })
    expectSuccess(run)
    expect(uploads(e).map(u => u.answered)).toEqual(['dropped', 200])
    expect(e.uploadedBytes(run.outputs['dataset-id'])?.equals(Buffer.from(content))).toBe(true)
  })

  test('503s on upload are retried until success', async () => {
    const e = await start()
    e.fault({
      server: 'upload',
      respond: {
        status: 503,
        body: '<Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error>'
      },
      times: 2
    })
    const run = await create(e, { 'a.ndjson': lines(10) }, { name: 'busy' })
    expectSuccess(run)
    expect(uploads(e).map(u => u.answered)).toEqual([503, 503, 200])
  })

  test('an attempt that landed but whose answer was lost: 412 on the retry is success', async () => {
    const e = await start()
    e.fault({ server: 'upload', drop: 'after' })
    const run = await create(e, { 'a.ndjson': lines(10) }, { name: 'lost' })
    expectSuccess(run)
    expect(uploads(e).map(u => u.answered)).toEqual(['dropped', 412])
    expect(run.outputs.status).toBe('Uploaded')
    expect(run.stdout).toContain('an earlier attempt landed')
  })

  test('412 on the retry and Nexus out of reach: the dataset is kept, not deleted', async () => {
    const e = await start()
    e.fault({ server: 'upload', drop: 'after' })
    // Every dataset read fails from the one after the 412 on: Nexus cannot say the file landed.
    e.fault({
      server: 'api',
      method: 'GET',
      path: /\/datasets\/dataset_/,
      respond: { status: 503, body: '{"message":"down"}' },
      times: Infinity
    })
    const run = await create(e, { 'a.ndjson': lines(10) }, { name: 'lost', 'request-timeout': '1' })
    expect(run.code).toBe(1)
    expect(uploads(e).map(u => u.answered)).toEqual(['dropped', 412])
    expect(run.failure).toMatch(
      /^The storage already holds the file \(an earlier attempt landed\), but Nexus could not be asked whether it took it: .*HTTP 503.* Dataset (dataset_[0-9a-f-]+) is kept\. Do not create it again: wait for it with `operation: wait` and `dataset-id: \1`\.$/
    )
    expect(apiCalls(e, 'DELETE')).toHaveLength(0)
    expect(e.datasets()).toHaveLength(1)
    expect(run.outputs.deleted).toBeUndefined()
  })

  test('a file changed between upload attempts is not sent; its dataset is deleted', async () => {
    const e = await start()
    // The first attempt is held, then dropped: time for the file to change before the retry.
    e.fault({ server: 'upload', delayMs: 2000, drop: 'before' })
    const workspace = workspaceWith({ 'a.ndjson': lines(10) })
    const run = await runAction(
      { operation: 'create', path: 'a.ndjson', name: 'changed', ...creds(e) },
      {
        workspace,
        ...onceWhile(
          () => uploads(e).length > 0,
          () => appendFileSync(path.join(workspace, 'a.ndjson'), lines(1, 10))
        )
      }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      'The file changed after it was checked, before an upload attempt: a.ndjson changed while it was being read. Make sure nothing writes the file during the step, then run it again.'
    )
    expect(uploads(e)).toHaveLength(1)
    expect(e.datasets()).toHaveLength(0)
    expect(run.outputs.deleted).toBe('true')
  })

  test('a file rewritten in place before the upload, its size and mtime put back, is not sent; its dataset is deleted', async () => {
    const e = await start()
    // The create's answer waits 3 s: the file is rewritten meanwhile, after it was checked.
    e.fault({ server: 'api', method: 'POST', answerDelayMs: 3000 })
    const workspace = workspaceWith({ 'a.ndjson': lines(10) })
    const file = path.join(workspace, 'a.ndjson')
    wholeSecondMtime(file)
    let rewritten: Promise<void> | undefined
    const run = await runAction(
      { operation: 'create', path: 'a.ndjson', name: 'rewritten', ...creds(e) },
      {
        workspace,
        ...onceWhile(
          () => apiCalls(e, 'POST').length > 0,
          () => {
            rewritten = rewriteInPlace(file, lines(10, 10))
          }
        )
      }
    )
    await rewritten
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      'The file changed after it was checked, before an upload attempt: a.ndjson changed while it was being read. Make sure nothing writes the file during the step, then run it again.'
    )
    expect(uploads(e)).toHaveLength(0)
    expect(e.datasets()).toHaveLength(0)
    expect(run.outputs.deleted).toBe('true')
  })

  test('a cancel while the failed upload’s dataset is being deleted ends the clean-up in time', async () => {
    const e = await start()
    e.fault({
      server: 'upload',
      respond: {
        status: 403,
        body: '<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>'
      }
    })
    // The clean-up DELETE meets outages and would retry for up to a minute.
    e.fault({
      server: 'api',
      method: 'DELETE',
      respond: { status: 503, body: '{"message":"down"}' },
      times: Infinity
    })
    const run = await runAction(
      {
        operation: 'create',
        path: 'a.ndjson',
        name: 'refused',
        ...creds(e)
      },
      {
        workspace: workspaceWith({ 'a.ndjson': lines(3) }),
        env: { NEXUS_ACTION_RETRY_BASE_MS: '1000' },
        ...cancelWhen(() => apiCalls(e, 'DELETE').length > 0, 'SIGTERM', 'emitted')
      }
    )
    expect(run.code).toBe(1)
    // The refusal is still what the step says, with the failed delete: not the hard exit's line.
    expect(run.failure).toMatch(
      /^The upload was refused \(HTTP 403 SignatureDoesNotMatch.* could not be deleted afterwards/
    )
    expect(run.summary).toMatch(/^<h3>❌ The upload of a\.ndjson failed<\/h3>$/m)
    expect(run.summary).toContain('<b>Left behind:</b> the dataset below, Waiting, is kept')
  })

  test('403 on upload: no retry, the dataset is deleted, clear failure', async () => {
    const e = await start()
    e.fault({
      server: 'upload',
      respond: {
        status: 403,
        body: '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>'
      }
    })
    const run = await create(e, { 'a.ndjson': lines(10) }, { name: 'refused' })
    expect(run.code).toBe(1)
    expect(uploads(e)).toHaveLength(1)
    expect(run.failure).toContain('HTTP 403 SignatureDoesNotMatch')
    const id = run.outputs['dataset-id']
    expect(id).toMatch(/^dataset_/)
    expect(e.dataset(id)).toBeUndefined()
    expect(apiCalls(e, 'DELETE')).toHaveLength(1)
    expect(run.outputs.deleted).toBe('true')
  })

  test('server-side FailedProcessing: exit 1 with dataset-id and status set', async () => {
    const e = await start({ finalStatus: 'FailedProcessing' })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'bad' })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('FailedProcessing')
    expect(run.outputs.status).toBe('FailedProcessing')
    expect(run.outputs['dataset-id']).toMatch(/^dataset_/)
    expect(e.dataset(run.outputs['dataset-id'])).toBeDefined()
  })

  test('wait: false still fails on a dataset that failed at once', async () => {
    const e = await start({ finalStatus: 'FailedProcessing' })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'bad-nowait', wait: 'false' })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('ended in FailedProcessing')
    expect(run.stdout).toContain('(wait: false, not waiting)')
    expect(run.outputs.status).toBe('FailedProcessing')
  })

  test('a refusal sent before the body is read (expired URL) is reported, not retried', async () => {
    const e = await startWithStaleUploadUrls(start)
    const run = await create(e, { 'big.ndjson': lines(120_000) }, { name: 'expired' })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('HTTP 400 ExpiredToken')
    expect(run.failure).toContain('Run the step again to get a new upload URL.')
    expect(uploads(e)).toHaveLength(1)
    expect(e.datasets()).toHaveLength(0)
  })

  test('wait timeout names the time and the last status', async () => {
    const e = await start({ finalStatus: 'Processing' })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'slow', timeout: '0.5' })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/Timed out after 0\.5 s .*last status was Processing/)
    expect(run.outputs.status).toBe('Processing')
  })

  test('a create whose answer was lost is adopted, not made twice', async () => {
    const e = await start()
    e.fault({ server: 'api', method: 'POST', drop: 'after' })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'once' })
    expectSuccess(run)
    expect(apiCalls(e, 'POST')).toHaveLength(1)
    expect(e.datasets()).toHaveLength(1)
    expect(run.outputs['dataset-id']).toBe(e.datasets()[0].id)
  })

  test('a create whose answer was lost, then refused: the summary does not claim nothing was made', async () => {
    const e = await start()
    // The first POST makes the dataset and loses its answer; the look for it is then refused.
    e.fault({ server: 'api', method: 'POST', drop: 'after' })
    e.fault({ server: 'api', method: 'GET', respond: { status: 403, body: '{"message":"no"}' } })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'lost-answer' })
    expect(run.code).toBe(1)
    expect(e.datasets()).toHaveLength(1)
    expect(run.summary).toMatch(/^<h3>❌ Nexus refused the secret key \(403\)<\/h3>$/m)
    expect(run.summary).toContain(
      '<b>Left behind:</b> no dataset is known, but the create request got no clear answer, so Nexus may have made one named <code>lost-answer</code>'
    )
    expect(run.summary).not.toContain('nothing created')
  })

  test('a 503 on create is retried and still makes one dataset', async () => {
    const e = await start()
    e.fault({ server: 'api', method: 'POST', respond: { status: 503, body: '{"message":"busy"}' } })
    const run = await create(e, { 'a.ndjson': lines(3) }, { name: 'retry' })
    expectSuccess(run)
    expect(apiCalls(e, 'POST')).toHaveLength(2)
    expect(e.datasets()).toHaveLength(1)
  })
})

/**
 * The whole failure line for a file in the wrong format: its path, what it is, that nothing was
 * created, and what to do (the cause's two halves, written `what; fix`), nothing else.
 */
function cause(text: string): RegExp {
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const at = text.indexOf('; ')
  const [what, fix] = [text.slice(0, at), text.slice(at + 2)]
  return new RegExp(
    `^data/bad\\.ndjson ${escape(what)}\\. Nothing was created\\. ${escape(fix.charAt(0).toUpperCase() + fix.slice(1))}\\.$`
  )
}

const UTF16_FIX =
  'save it as UTF-8 without a byte-order mark: in Windows PowerShell 5.1 `[IO.File]::WriteAllLines($path, $lines)`, in PowerShell 7 `Set-Content -Encoding utf8NoBOM`'

describe('create: bad files send no request', () => {
  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a0000000d4948445200000100000000c80806000000', 'hex'),
    Buffer.alloc(200, 0x11)
  ])
  // Every row has four entries: jest reads a missing last argument as a done callback.
  const badFiles: Array<[string, string | Buffer, RegExp, number | undefined]> = [
    ['empty file', '', /is empty/, undefined],
    ['only blank lines', '\n  \n\r\n', /has no items/, undefined],
    ['bad JSON', lines(2) + '{"url": "https://x/1.jpg"\n', /line 3: not valid JSON/, 3],
    ['missing url', lines(1) + '{"kind": "Image"}\n', /line 2: "url" is missing/, 2],
    ['empty url', '{"url": ""}\n', /line 1: "url" must be a non-empty string/, 1],
    // Among object lines: a file of one array alone is the "one JSON array" cause below.
    ['array line', `${lines(1)}[1, 2]\n`, /line 2: expected a JSON object/, 2],
    ['kind not a string', '{"url": "u", "kind": 3}\n', /line 1: "kind" must be a string/, 1],
    ['byte-order mark', '\ufeff' + lines(2), /line 1: .*byte-order mark/, 1],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"url": "x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]),
      /line 1: invalid UTF-8/,
      1
    ],
    [
      'UTF-16LE with a BOM (Windows PowerShell 5.1 `>`)',
      utf16le(lines(3)),
      cause(`is UTF-16 text (as Windows PowerShell 5.1 writes it); ${UTF16_FIX}`),
      undefined
    ],
    [
      'UTF-16LE without a BOM',
      utf16le(lines(3), false),
      cause(`is UTF-16 text (as Windows PowerShell 5.1 writes it); ${UTF16_FIX}`),
      undefined
    ],
    ['UTF-16BE', utf16be(lines(3)), cause(`is UTF-16 big-endian text; ${UTF16_FIX}`), undefined],
    [
      'a truncated gzip',
      gzip(lines(50)).subarray(0, 200),
      /^data\/bad\.ndjson is a truncated gzip file: it ends before its compressed data does\. Nothing was created\. Compress the NDJSON again/,
      undefined
    ],
    [
      'a corrupt gzip',
      corruptGzip(lines(50)),
      /^data\/bad\.ndjson is a corrupt gzip file \(zlib: incorrect data check\)\. Nothing was created\. Compress the NDJSON again/,
      undefined
    ],
    [
      'gzip twice',
      gzip(gzip(lines(50))),
      cause(
        'is gzip-compressed twice (the NDJSON in it is gzip again); compress the NDJSON only once'
      ),
      undefined
    ],
    [
      'zip',
      zip('items.ndjson', lines(5)),
      cause('is a zip archive; upload the NDJSON file in it, unzipped or gzip-compressed'),
      undefined
    ],
    [
      'zstd',
      Buffer.concat([Buffer.from('28b52ffd0458', 'hex'), Buffer.alloc(200, 0x01)]),
      cause(
        'is zstd-compressed; upload the NDJSON uncompressed, or gzip-compressed (`gzip items.ndjson`)'
      ),
      undefined
    ],
    [
      'an image',
      png,
      cause('is binary, not text; upload an NDJSON file (UTF-8 text, one JSON object per line)'),
      undefined
    ],
    [
      'a Git LFS pointer',
      LFS_POINTER,
      cause(
        'is a Git LFS pointer, not the file; check out with `lfs: true` (actions/checkout), or run `git lfs pull`'
      ),
      undefined
    ],
    [
      'a pretty-printed JSON array',
      prettyArray(items(20)),
      cause("is one JSON array, not NDJSON; write one object per line (e.g. `jq -c '.[]'`)"),
      undefined
    ],
    [
      'a one-line JSON array',
      JSON.stringify(items(20)),
      cause("is one JSON array, not NDJSON; write one object per line (e.g. `jq -c '.[]'`)"),
      undefined
    ],
    [
      'pretty-printed objects',
      prettyObjects(items(20)),
      cause(
        'holds JSON objects written over several lines (pretty-printed), the first from line 1; write each object on one line (e.g. `jq -c .`)'
      ),
      1
    ],
    [
      'CR-only line ends',
      crOnly(items(20)),
      cause(
        'ends its lines with CR alone (classic Mac OS line ends), so it reads as one line; end each line with LF or CRLF'
      ),
      undefined
    ],
    [
      'two files joined with cat, the second with a BOM',
      `${lines(2)}\ufeff${lines(2, 2)}`,
      /line 3: not valid JSON: byte-order mark \(U\+FEFF\) at column 1, likely from joining files that each start with one \(e\.g\. with cat\); save them as UTF-8 without BOM before joining, or delete it\. Nothing was created/,
      3
    ],
    [
      'NaN',
      `${lines(1)}{"url": "x", "score": NaN}\n`,
      /line 2: not valid JSON: NaN at column 23; JSON has no such value \(Python's json\.dumps writes it\): write null instead\./,
      2
    ],
    [
      '-Infinity',
      `{"url": "x", "score": -Infinity}\n${lines(1)}`,
      /line 1: not valid JSON: -Infinity at column 23; JSON has no such value/,
      1
    ],
    [
      'blank url',
      `${lines(1)}{"url": "  "}\n`,
      /line 2: "url" must be a non-empty string, found a string of only whitespace\./,
      2
    ]
  ]

  test.each(badFiles)('%s', async (_label, content, expected, line) => {
    const e = await start()
    const run = await create(e, { 'data/bad.ndjson': content })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(expected)
    expect(run.failure).toContain('data/bad.ndjson')
    expect(e.requests).toHaveLength(0)
    const annotations = run.commands
      .filter(c => c.command === 'error' && c.props.file)
      .map(c => [c.props.file, c.props.line])
    expect(annotations).toEqual(line === undefined ? [] : [['data/bad.ndjson', String(line)]])
  })

  test('at most 10 bad lines are annotated; the failure counts them all', async () => {
    const e = await start()
    const run = await create(e, { 'bad.ndjson': '{"kind": "Image"}\n'.repeat(25) })
    expect(run.code).toBe(1)
    expect(run.commands.filter(c => c.command === 'error' && c.props.file)).toHaveLength(10)
    expect(run.failure).toContain('25 bad lines')
    expect(e.requests).toHaveLength(0)
  })

  test('a bad file: its summary says what is wrong and where; each log line names file:line', async () => {
    const e = await start()
    const bad = `${lines(6)}{"kind": "Image"}\n${lines(4)}{"url": 3}\n`
    const run = await create(e, { 'data/items.ndjson': bad })
    expect(run.code).toBe(1)
    const summary = run.summary.split('\n')
    expect(summary[0]).toBe(
      '<h3>❌ data/items.ndjson is not valid NDJSON: 2 bad lines, nothing created</h3>'
    )
    expect(summary).toContain('<p><b>Left behind:</b> nothing (no dataset was created).</p>')
    expect(run.summary).toContain(
      '<tr><td>7</td><td>–</td><td>&quot;url&quot; is missing</td></tr>'
    )
    expect(run.summary).toContain(
      '<tr><td>12</td><td>–</td><td>&quot;url&quot; must be a non-empty string, found a number</td></tr>'
    )
    // The log view shows an annotation's message alone: the message names its place itself.
    const errors = run.commands.filter(c => c.command === 'error' && c.props.file)
    expect(errors.map(c => [c.props.line, c.message])).toEqual([
      ['7', 'data/items.ndjson:7: "url" is missing'],
      ['12', 'data/items.ndjson:12: "url" must be a non-empty string, found a number']
    ])
    expect(e.requests).toHaveLength(0)
  })

  test('a missing path and a directory fail clearly', async () => {
    const e = await start()
    const workspace = workspaceWith({ 'dir/x.txt': 'x' })
    for (const [p, expected] of [
      ['missing.ndjson', /does not exist/],
      ['dir', /directory/]
    ] as const) {
      const run = await runAction(
        { operation: 'create', path: p, ...creds(e) },
        { workspace, timeoutMs: 10_000 }
      )
      expect([p, run.code]).toEqual([p, 1])
      expect(run.failure).toMatch(expected)
    }
    expect(e.requests).toHaveLength(0)
    expect(readFileSync(path.join(workspace, 'dir/x.txt'), 'utf8')).toBe('x')
  })

  posixTest('a FIFO fails clearly without hanging', 'mkfifo', async () => {
    const e = await start()
    const workspace = workspaceWith({})
    execFileSync('mkfifo', [path.join(workspace, 'pipe.ndjson')])
    const run = await runAction(
      { operation: 'create', path: 'pipe.ndjson', ...creds(e) },
      { workspace, timeoutMs: 10_000 }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/is a named pipe \(FIFO\), not a regular file/)
    expect(e.requests).toHaveLength(0)
  })
})
