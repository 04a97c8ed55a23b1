import { describe, expect, test } from '@jest/globals'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import {
  creds,
  preloading,
  SLOW_READS,
  useEmulators,
  WATCH_WORKERS,
  workspaceWith
} from '../support/e2e.js'
import { items, ndjson, utf16le } from '../support/wrong-format.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'
import { expectSuccess, runAction } from '../../scripts/run-action.js'
import { WORKER_FROM_BYTES } from '../../src/ndjson/file-scan.js'

const start = useEmulators()
const ITEMS = '{"kind": "Image", "url": "https://x/1.jpg"}\r\n\n{"url": "https://x/2.jpg"}\n'

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('operation: check', () => {
  test('needs no credentials and makes no request; outputs and summary describe the file', async () => {
    const e = await start()
    const workspace = workspaceWith({ 'data/items.ndjson': ITEMS })
    // No secret key, no project id, and an API that would record any request.
    const run = expectSuccess(
      await runAction(
        { operation: 'check', path: 'data/items.ndjson', 'api-url': e.apiUrl },
        { workspace }
      )
    )
    expect(e.requests).toHaveLength(0)
    expect(run.outputs['item-count']).toBe('2')
    expect(run.outputs['size-bytes']).toBe(String(Buffer.byteLength(ITEMS)))
    expect(run.outputs.crc32c).toMatch(/^[A-Za-z0-9+/]{6}==$/)
    expect(run.outputs['dataset-id']).toBeUndefined()
    expect(run.summary).toMatch(/^<h3>✅ data\/items\.ndjson is valid NDJSON: 2 items, /)
    for (const cell of ['data/items.ndjson', run.outputs.crc32c, '>2 items<']) {
      expect(run.summary).toContain(cell)
    }
    // Nothing to mask: it never read a key.
    expect(run.stdout).not.toContain('::add-mask::')
  })

  test('passes with api-url on a closed port and no credentials anywhere', async () => {
    const port = await closedPort()
    const run = await runAction(
      { operation: 'check', path: 'a.ndjson', 'api-url': `http://127.0.0.1:${port}` },
      { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
    )
    expectSuccess(run)
    expect(run.outputs['item-count']).toBe('2')
  })

  test('a bad file: annotations, one failure line, exit 1, as in create but for what was created', async () => {
    const bad = '{"url": "https://x/1.jpg"}\n{"kind": "Image"}\n{"url": 3}\n'
    const workspace = workspaceWith({ 'bad.ndjson': bad })
    const check = await runAction({ operation: 'check', path: 'bad.ndjson' }, { workspace })
    const e = await start()
    const create = await runAction(
      { operation: 'create', path: 'bad.ndjson', ...creds(e) },
      { workspace }
    )
    expect(check.code).toBe(1)
    // The same finding; only create speaks of what was not created.
    const finding = 'bad.ndjson is not valid NDJSON: line 2: "url" is missing (2 bad lines in all).'
    expect(check.failure).toBe(`${finding} Fix the file and run again.`)
    expect(create.failure).toBe(
      `${finding} Nothing was created. Fix the file and run again; \`operation: check\` checks a file without creating anything (and without secrets, as in a pull request).`
    )
    const annotations = (run: typeof check) =>
      run.commands.filter(c => c.command === 'error' && c.props.file)
    expect(annotations(check)).toEqual(annotations(create))
    expect(annotations(check).map(c => c.props.line)).toEqual(['2', '3'])
    expect(e.requests).toHaveLength(0)
  })

  test('a file in the wrong format is named by its cause, as in create', async () => {
    const run = await runAction(
      { operation: 'check', path: 'items.ndjson' },
      { workspace: workspaceWith({ 'items.ndjson': utf16le(ndjson(items(3))) }) }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(
      /^items\.ndjson is UTF-16 text \(as Windows PowerShell 5\.1 writes it\)\. Save it as UTF-8/
    )
    expect(run.failure).not.toContain('created')
    expect(run.commands.filter(c => c.command === 'error' && c.props.file)).toEqual([])
  })

  test('create sets size-bytes and crc32c equal to check’s', async () => {
    const e = await start()
    const workspace = workspaceWith({ 'a.ndjson': ITEMS })
    const check = expectSuccess(
      await runAction({ operation: 'check', path: 'a.ndjson' }, { workspace })
    )
    const create = expectSuccess(
      await runAction(
        { operation: 'create', path: 'a.ndjson', 'poll-interval': '0.05', ...creds(e) },
        { workspace }
      )
    )
    expect(create.outputs['size-bytes']).toBe(check.outputs['size-bytes'])
    expect(create.outputs.crc32c).toBe(check.outputs.crc32c)
    const post = e.requests.find(r => r.method === 'POST')
    expect(post?.json).toMatchObject({
      spec: {
        source: { sizeBytes: Number(check.outputs['size-bytes']), crc32c: check.outputs.crc32c }
      }
    })
    expect(readFileSync(path.join(workspace, 'a.ndjson'), 'utf8')).toBe(ITEMS)
  })

  test('hashes a large file in the worker thread bundled in dist/, beside the check', async () => {
    const line = '{"kind": "Image", "url": "https://storage.example.com/images/000001.jpg"}\n'
    const content = Buffer.from(line.repeat(Math.ceil(WORKER_FROM_BYTES / line.length)))
    const workspace = workspaceWith({ 'big.ndjson': content })
    const workers = path.join(workspace, 'workers.txt')
    // Reads held back 20 ms each (64 of them): the worker is up long before the scan ends.
    const env = {
      ...preloading(SLOW_READS, WATCH_WORKERS),
      NEXUS_TEST_READ_DELAY_MS: '20',
      NEXUS_TEST_WORKERS_FILE: workers
    }
    const run = expectSuccess(
      await runAction({ operation: 'check', path: 'big.ndjson' }, { workspace, env })
    )
    expect(run.outputs.crc32c).toBe(referenceCrc32cBase64(content))
    // The fallback would give the same CRC: the worker did start, and raised no error.
    expect(readFileSync(workers, 'utf8')).toBe('made\nonline\n')
  })

  test('inputs check does not read are named in a warning, not read', async () => {
    const run = expectSuccess(
      await runAction(
        { operation: 'check', path: 'a.ndjson', 'dataset-id': 'dataset_x', 'secret-key': 'sk_x' },
        { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
      )
    )
    const warnings = run.commands.filter(c => c.command === 'warning').map(c => c.message)
    expect(warnings).toEqual([
      'Input "secret-key" is not used by operation check; it is ignored.',
      'Input "dataset-id" is not used by operation check; it is ignored.'
    ])
    // Not read: not even masked (the runner masks a key that comes from secrets itself).
    expect(run.stdout).not.toContain('::add-mask::')
  })
})
