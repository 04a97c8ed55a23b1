import { jest } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as OsModule from 'node:os'
import type * as WorkerThreads from 'node:worker_threads'
import { SCRATCH_BYTES } from '../../src/ndjson/fast-path.js'
import { referenceCrc32c, referenceCrc32cBase64 } from '../support/crc32c.js'
import { prng } from '../support/prng.js'
import { gzip } from '../support/wrong-format.js'

// The worker threads the scans make, seen through node:worker_threads: each is recorded with the
// promise of its exit, and a test may rewrite the worker's source (to make it fail or hang) or
// refuse to make one at all. node:os tells as many cores as a test says.
const realThreads = jest.requireActual<typeof WorkerThreads>('node:worker_threads')
const realOs = jest.requireActual<typeof OsModule>('node:os')
const made: Array<{ exited: Promise<unknown>; rewritten: boolean }> = []
const setting: {
  cores: number
  refuse: boolean
  rewrite?: (source: string) => string
  /** Called with what a worker posts (only a rewritten one does). */
  heard?: (message: unknown) => void
} = { cores: 2, refuse: false }

class RecordedWorker extends realThreads.Worker {
  constructor(source: string, options: WorkerThreads.WorkerOptions) {
    if (setting.refuse) throw new Error('no threads here')
    const rewritten = setting.rewrite?.(source) ?? source
    super(rewritten, options)
    this.on('message', message => setting.heard?.(message))
    // Not events.once: it would reject on the 'error' a failing worker emits before its exit.
    made.push({
      exited: new Promise(resolve => this.once('exit', resolve)),
      rewritten: rewritten !== source
    })
  }
}

jest.unstable_mockModule('node:worker_threads', () => ({ ...realThreads, Worker: RecordedWorker }))
jest.unstable_mockModule('node:os', () => ({
  ...realOs,
  availableParallelism: () => setting.cores
}))
const { scanFile } = await import('../../src/ndjson/file-scan.js')
const { CrcWorker, SLOTS } = await import('../../src/ndjson/crc-worker.js')
type ScanOptions = import('../../src/ndjson/file-scan.js').ScanOptions
type CrcWorkerType = import('../../src/ndjson/crc-worker.js').CrcWorker

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(realOs.tmpdir(), 'crc-worker-test-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

beforeEach(() => {
  made.length = 0
  Object.assign(setting, { cores: 2, refuse: false, rewrite: undefined, heard: undefined })
})

afterEach(async () => {
  // No worker outlives its scan: each has exited (or the test times out here).
  await Promise.all(made.map(worker => worker.exited))
})

const MiB = SCRATCH_BYTES

/** Rewrites the worker's source; expectOneRewrittenWorker() tells whether `from` was there. */
function rewriteWorker(from: string, to: string): void {
  setting.rewrite = source => source.replace(from, to)
}

/** The end of the worker's loop, where it has hashed a chunk and said so. */
const HASHED_ONE = '  progress()\n}'

/** One worker was made, of the rewritten source: the test tested what it means to. */
function expectOneRewrittenWorker(): void {
  expect(made.map(worker => worker.rewritten)).toEqual([true])
}

/** Where the worker starts on a chunk it was handed. */
const HASHING = '  const slot ='

/** Makes the worker wait `ms` milliseconds before it hashes each chunk. */
function slowWorker(ms: number): void {
  rewriteWorker(
    HASHING,
    `  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms})\n${HASHING}`
  )
}

/** Makes the worker die once it has hashed `chunks` chunks. */
function dieAfter(chunks: number): void {
  rewriteWorker(
    HASHED_ONE,
    `  progress()\n  globalThis.n = (globalThis.n ?? 0) + 1\n  if (globalThis.n === ${chunks}) throw new Error('died')\n}`
  )
}

/**
 * `bytes` of lines of every kind: good objects (strings, numbers, nesting), bad ones, blank and
 * CRLF lines, multi-byte characters and ill-formed UTF-8, falling anywhere on the read boundaries.
 */
function randomLines(random: () => number, bytes: number): Buffer {
  const content = Buffer.allocUnsafe(bytes)
  for (let at = 0; at < bytes;) {
    at += LINES[Math.floor(random() * LINES.length)].copy(content, at)
  }
  return content
}

/** The lines randomLines draws from. */
const LINES = ((): Buffer[] => {
  const random = prng(0)
  const lines: Buffer[] = []
  for (let n = 0; n < 2000; n++) {
    const line = [
      `{"kind": "Image", "url": "https://example.com/${n}.jpg"}`,
      `{"url": "u${n}", "w": ${Math.floor(random() * 1e6)}, "m": {"a": [1, 2.5e3, null, true]}}`,
      `{"url": "é😀${n}", "kind": "Bild"}\r`,
      '',
      `{"url": ""}`,
      `[${n}]`,
      `{"url": "x", "kind": ${n}}`,
      String.fromCharCode(...Array.from({ length: 40 }, () => 32 + Math.floor(random() * 95)))
    ][n % 8]
    lines.push(n % 50 === 0 ? Buffer.from([0xff, 0xc3, 0x28, 0x0a]) : Buffer.from(`${line}\n`))
  }
  return lines
})()

async function file(name: string, content: Uint8Array): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

/** The scan with the CRC beside the check, which must be the sequential one exactly. */
async function bothWays(path: string, options: ScanOptions = {}) {
  const inline = await scanFile(path, { ...options, crc: 'inline' })
  expect(made).toHaveLength(0)
  const beside = await scanFile(path, { ...options, crc: 'worker' })
  expect(beside).toEqual(inline)
  return beside
}

describe('scanFile with the CRC-32C beside the check', () => {
  it.each([
    ['one byte', 1],
    ['a few lines', 1000],
    ['a read less a byte', MiB - 1],
    ['one read exactly', MiB],
    ['a read and a byte', MiB + 1],
    ['the pool of buffers exactly', SLOTS * MiB],
    ['the pool and a byte', SLOTS * MiB + 1],
    ['the pool over twice, cut mid-read', 2 * SLOTS * MiB + 654_321]
  ])('gives the sequential scan exactly: %s', async (_name, bytes) => {
    const content = randomLines(prng(bytes), bytes)
    const scan = await bothWays(await file(`random-${bytes}.ndjson`, content))
    expect(made).toHaveLength(1)
    expect(scan.sizeBytes).toBe(bytes)
    expect(scan.crc32c).toBe(referenceCrc32cBase64(content))
  })

  it('reads into a buffer again only once the worker has hashed it', async () => {
    slowWorker(20)
    const content = randomLines(prng(12), 3 * SLOTS * MiB)
    const scan = await scanFile(await file('slow.ndjson', content), { crc: 'worker' })
    expect(scan.crc32c).toBe(referenceCrc32cBase64(content))
    expectOneRewrittenWorker()
  })

  it('takes no worker for a gzip file: its inflate is the slower stage', async () => {
    const content = randomLines(prng(7), 3 * MiB)
    const scan = await bothWays(await file('random.ndjson.gz', gzip(content)))
    expect(made).toHaveLength(0)
    expect(scan).toMatchObject({ sizeBytes: content.length, gzipBytes: expect.any(Number) })
    expect(scan.crc32c).toBe(referenceCrc32cBase64(content))
  })

  it('takes no worker for a small file unless told to', async () => {
    const path = await file('small.ndjson', randomLines(prng(8), 2 * MiB))
    await scanFile(path)
    expect(made).toHaveLength(0)
  })

  it('rejects with the reason when aborted while the worker starts', async () => {
    const path = await file('abort.ndjson', randomLines(prng(9), 2 * MiB))
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const scanning = scanFile(path, { crc: 'worker', signal: controller.signal })
    controller.abort(reason)
    await expect(scanning).rejects.toBe(reason)
  })
})

describe('CrcWorker', () => {
  /** Hashes `content` as readChunks and scanFile would, `chunkBytes` a read, through `worker`. */
  async function hash(
    worker: CrcWorkerType,
    content: Buffer,
    chunkBytes: number,
    upAfter: number
  ): Promise<number> {
    for (let n = 0, at = 0; at < content.length; n++, at += chunkBytes) {
      if (n === upAfter) await worker.ready()
      await worker.free(n)
      const chunk = worker.buffers[n % SLOTS]
      const length = content.copy(chunk, 0, at, at + chunkBytes)
      worker.update(chunk.subarray(0, length))
    }
    return worker.digest()
  }

  /** The CRC CrcWorker gives of random content, the worker up after `upAfter` chunks. */
  async function crcOf(content: Buffer, upAfter: number): Promise<number> {
    const chunkBytes = 1 << 16
    const worker = CrcWorker.start(chunkBytes)
    if (worker === undefined) throw new Error('no worker')
    try {
      return await hash(worker, content, chunkBytes, upAfter)
    } finally {
      worker.close()
    }
  }

  it.each([0, 1, 3, 9])(
    'hands over to the worker once it is up, after %i chunks hashed here',
    async upAfter => {
      const content = randomLines(prng(upAfter), 20 * (1 << 16) + 12_345)
      expect(await crcOf(content, upAfter)).toBe(referenceCrc32c(content))
    }
  )

  it.each([0, 3])(
    'goes on by itself from the last chunk the worker hashed when it dies (up after %i)',
    async upAfter => {
      dieAfter(2)
      const content = randomLines(prng(upAfter + 20), 20 * (1 << 16) + 777)
      expect(await crcOf(content, upAfter)).toBe(referenceCrc32c(content))
      expectOneRewrittenWorker()
    }
  )
})

describe('the scan hashes on this thread instead', () => {
  let path: string
  let content: Buffer

  beforeAll(async () => {
    content = randomLines(prng(10), 3 * SLOTS * MiB + 99)
    path = await file('fallback.ndjson', content)
  })

  /** Scans `path` asking for the worker: the result is the sequential scan's. */
  async function expectScansAlike(): Promise<void> {
    const inline = await scanFile(path, { crc: 'inline' })
    expect(await scanFile(path, { crc: 'worker' })).toEqual(inline)
    expect(inline.crc32c).toBe(referenceCrc32cBase64(content))
  }

  it('with one core', async () => {
    setting.cores = 1
    await expectScansAlike()
    expect(made).toHaveLength(0)
  })

  it('when no worker thread can be made', async () => {
    setting.refuse = true
    await expectScansAlike()
  })

  it('when the worker fails as it starts', async () => {
    rewriteWorker("'use strict'", "'use strict'\nthrow new Error('broken')")
    await expectScansAlike()
    expectOneRewrittenWorker()
  })

  it('when the worker dies mid-file, from the last chunk it hashed', async () => {
    dieAfter(5)
    await expectScansAlike()
    expectOneRewrittenWorker()
  })
})

describe('cancel', () => {
  it('stops the scan while it waits on a worker that hangs, and ends the worker', async () => {
    // The worker hangs at the first chunk, and says so: by the time this thread hears it (a
    // message is only read between tasks), the scan of the one-chunk file waits for the CRC.
    rewriteWorker(
      HASHING,
      `  require('node:worker_threads').parentPort.postMessage('hanging')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
${HASHING}`
    )
    const controller = new AbortController()
    const reason = new Error('cancelled while waiting')
    setting.heard = message => {
      if (message === 'hanging') controller.abort(reason)
    }
    const path = await file('hang.ndjson', randomLines(prng(11), 1000))
    await expect(scanFile(path, { crc: 'worker', signal: controller.signal })).rejects.toBe(reason)
    expectOneRewrittenWorker()
  })
})
