import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { truncateSync } from 'node:fs'
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { FileCheckError } from '../../src/shared/errors.js'
import {
  openUnchanged,
  readChunks,
  scanFile,
  scannedBytes,
  type FileScan,
  type ScanOptions
} from '../../src/ndjson/file-scan.js'
import { isGzip } from '../../src/ndjson/gzip.js'
import { SCRATCH_BYTES } from '../../src/ndjson/fast-path.js'
import { NdjsonChecker } from '../../src/ndjson/check.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'
import { prng } from '../support/prng.js'
import { gzip, items, ndjson, prettyArray, utf16le } from '../support/wrong-format.js'
import { posixTest, symlinkTest } from '../support/platform.js'
import { rewriteInPlace, wholeSecondMtime } from '../support/files.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-scan-test-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

/** The FileCheckError scanFile(path) rejects with; fails the test if it resolves. */
async function refusal(path: string, options: ScanOptions = {}): Promise<FileCheckError> {
  const error: unknown = await scanFile(path, options).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(FileCheckError)
  expect((error as FileCheckError).path).toBe(path)
  return error as FileCheckError
}

/** The message of refusal(path), the file named items.ndjson.gz. */
async function gzipRefusal(path: string, options: ScanOptions = {}): Promise<string> {
  return (await refusal(path, { label: 'items.ndjson.gz', ...options })).message
}

describe('scanFile refuses what is not a non-empty regular file', () => {
  it('a path that does not exist', async () => {
    const path = join(dir, 'missing.ndjson')
    expect((await refusal(path)).message).toBe(`"${path}" does not exist`)
  })

  it('a path through a file', async () => {
    const path = join(await file('plain.txt', 'x'), 'items.ndjson')
    expect((await refusal(path)).message).toBe(
      `"${path}" does not exist: part of the path is not a directory`
    )
  })

  it('a directory', async () => {
    const path = join(dir, 'a-directory')
    await mkdir(path)
    expect((await refusal(path)).message).toBe(`"${path}" is a directory, not a file`)
  })

  posixTest(
    'a named pipe, without opening it (which would hang)',
    'mkfifo',
    async () => {
      const path = join(dir, 'a-fifo')
      execFileSync('mkfifo', [path])
      expect((await refusal(path)).message).toBe(
        `"${path}" is a named pipe (FIFO), not a regular file`
      )
    },
    5000
  )

  posixTest('a socket', 'a socket bound to a file path', async () => {
    const path = join(dir, 'a-socket')
    const server: Server = createServer()
    await new Promise<void>(resolve => server.listen(path, resolve))
    try {
      expect((await refusal(path)).message).toBe(`"${path}" is a socket, not a regular file`)
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
  })

  posixTest('a device', '/dev/null', async () => {
    expect((await refusal('/dev/null')).message).toBe('"/dev/null" is a device, not a regular file')
  })

  it('an empty file', async () => {
    const path = await file('empty.ndjson', '')
    expect((await refusal(path)).message).toBe(`"${path}" is empty (0 bytes)`)
  })

  it('a file of blank lines only', async () => {
    const path = await file('blank.ndjson', '\n  \r\n\t\n')
    expect((await refusal(path)).message).toBe(`"${path}" has no items: every line is blank`)
  })

  symlinkTest('a symbolic link to nothing', async () => {
    const path = join(dir, 'dangling.ndjson')
    await symlink(join(dir, 'nothing-here'), path)
    expect((await refusal(path)).message).toBe(
      `"${path}" is a symbolic link to a file that does not exist`
    )
  })

  posixTest('a symbolic link loop', 'ELOOP for a cycle of links', async () => {
    const path = join(dir, 'loop-a')
    await symlink(join(dir, 'loop-b'), path)
    await symlink(path, join(dir, 'loop-b'))
    expect((await refusal(path)).message).toBe(
      `"${path}" cannot be read: too many symbolic links (a loop?)`
    )
  })
})

describe('scanFile reads a file', () => {
  it('gives the size, the CRC-32C and the line check of a good file', async () => {
    const content = '{"kind": "Image", "url": "https://example.com/1.jpg"}\n\n{"url": "b"}\n'
    const path = await file('good.ndjson', content)
    expect(await scanFile(path)).toEqual({
      path,
      sizeBytes: Buffer.byteLength(content),
      identity: expect.objectContaining({ size: Buffer.byteLength(content) }),
      crc32c: referenceCrc32cBase64(Buffer.from(content)),
      items: 2,
      lines: 3,
      badLines: 0,
      problems: []
    })
  })

  it('matches the check vector', async () => {
    const path = await file('vector.ndjson', '123456789')
    expect((await scanFile(path)).crc32c).toBe('4waSgw==')
  })

  it('returns bad lines instead of throwing', async () => {
    const path = await file('bad.ndjson', '{"url": "a"}\n{"url": ""}\n[1]\n')
    const scan = await scanFile(path)
    expect(scan).toMatchObject({ items: 3, lines: 3, badLines: 2 })
    expect(scan.problems).toEqual([
      { line: 2, message: '"url" must be a non-empty string, found an empty string' },
      { line: 3, message: 'expected a JSON object, found an array' }
    ])
  })

  symlinkTest('follows a symbolic link to the file', async () => {
    const target = await file('target.ndjson', '{"url": "a"}\n')
    const path = join(dir, 'link.ndjson')
    await symlink(target, path)
    const scan = await scanFile(path)
    expect(scan.path).toBe(path)
    const crc32c = referenceCrc32cBase64(Buffer.from('{"url": "a"}\n'))
    expect(scan).toMatchObject({ sizeBytes: 13, crc32c })
  })

  it('agrees with a one-piece check and CRC on a file of many reads', async () => {
    // Multi-byte characters and bad lines fall on and around the 1 MiB read boundaries.
    const lines: string[] = []
    for (let n = 0, size = 0; size < 3.5 * (1 << 20); n++) {
      const line =
        n % 9973 === 0
          ? `{"url": "é${n}", "kind": ${n}}`
          : `{"kind": "Bild", "url": "https://example.com/ü/😀/${n}.jpg", "n": ${n}}`
      lines.push(line)
      size += Buffer.byteLength(line) + 1
    }
    const content = Buffer.from(lines.join('\n'))
    const path = await file('big.ndjson', content)
    const checker = new NdjsonChecker()
    checker.push(content)
    const expected = checker.finish()
    expect(expected.badLines).toBeGreaterThan(2)
    expect(await scanFile(path)).toEqual({
      path,
      sizeBytes: content.length,
      identity: expect.objectContaining({ size: content.length }),
      crc32c: referenceCrc32cBase64(content),
      ...expected
    })
  })
})

describe('openUnchanged opens only the file that was scanned', () => {
  const ITEM = '{"url": "https://x/1.jpg"}\n'

  it('the file as scanned: opened', async () => {
    const path = await file('kept.ndjson', ITEM)
    const { identity } = await scanFile(path)
    const handle = await openUnchanged({ path, name: 'kept.ndjson' }, identity)
    try {
      expect(await handle.readFile('utf8')).toBe(ITEM)
    } finally {
      await handle.close()
    }
  })

  it('a file rewritten in place with its size and mtime put back: refused', async () => {
    const path = await file('rewritten.ndjson', ITEM)
    wholeSecondMtime(path)
    const { identity } = await scanFile(path)
    await rewriteInPlace(path, ITEM.replace('1', '2'))
    const error: unknown = await openUnchanged({ path, name: 'rewritten.ndjson' }, identity).then(
      async handle => handle.close(),
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(FileCheckError)
    expect((error as FileCheckError).what).toBe('rewritten.ndjson changed while it was being read')
    expect((error as FileCheckError).advice?.kind).toBe('fileChanged')
  })
})

describe('scanFile names the cause of a file in the wrong format', () => {
  // Files of several reads: the first bytes and the last are in different ones.
  it.each([
    ['a pretty-printed array', prettyArray(items(20_000)), /^is one JSON array, not NDJSON;/],
    ['UTF-16', utf16le(prettyArray(items(10_000))), /^is UTF-16 text/]
  ])('%s', async (_name, content, cause) => {
    const path = await file('wrong-format.json', content)
    const scan = await scanFile(path)
    expect(scan.sizeBytes).toBeGreaterThan(2 << 20)
    expect(scan.badLines).toBeGreaterThan(10)
    expect(scan.cause).toEqual({ message: expect.stringMatching(cause) })
  })
})

describe('scanFile and abort', () => {
  let big: string

  beforeAll(async () => {
    const line = '{"kind": "Image", "url": "https://storage.example.com/datasets/000123456.jpg"}\n'
    big = await file('abort.ndjson', line.repeat(Math.ceil((64 << 20) / line.length)))
  })

  it('rejects at once with the reason when already aborted', async () => {
    const reason = new Error('cancelled before')
    await expect(scanFile(big, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
  })

  it('rejects with the reason when aborted during the scan', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled during')
    setTimeout(() => controller.abort(reason), 5)
    await expect(scanFile(big, { signal: controller.signal })).rejects.toBe(reason)
    // Nothing was left open or half-read: the same file scans fine afterwards.
    expect((await scanFile(big)).badLines).toBe(0)
  })

  it('stops within one read of the abort', async () => {
    // Counted in reads rather than timed: a whole 64 MiB scan takes well under a second, so no
    // wall-clock bound a busy machine keeps could tell a prompt abort from one seen at the end.
    const controller = new AbortController()
    const reason = new Error('cancelled after the first read')
    const handle = await open(big, 'r')
    let chunks = 0
    try {
      const size = (await handle.stat()).size
      const reading = (async () => {
        for await (const _chunk of readChunks(
          handle,
          { path: big, name: 'big' },
          size,
          controller.signal
        )) {
          chunks += 1
          controller.abort(reason)
        }
      })()
      await expect(reading).rejects.toBe(reason)
      expect(size).toBeGreaterThan(4 * SCRATCH_BYTES)
    } finally {
      await handle.close()
    }
    expect(chunks).toBe(1)
  })
})

/** About `bytes` of good NDJSON: several reads and several decompressed chunks. */
function bigNdjson(bytes: number): Buffer {
  const line = ndjson(items(3))
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)))
}

/** All that scannedBytes() gives for `scan`, read as the upload reads it. */
async function uploadBytes(scan: FileScan): Promise<Buffer> {
  const handle = await openUnchanged({ path: scan.path, name: 'items.ndjson.gz' }, scan.identity)
  try {
    const chunks: Buffer[] = []
    for await (const chunk of scannedBytes(handle, scan, 'items.ndjson.gz') as Readable) {
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks)
  } finally {
    await handle.close()
  }
}

describe('a gzip file is told by its magic number', () => {
  it.each([
    ['gzip', gzip('{"url": "a"}\n'), true],
    ['NDJSON', Buffer.from('{"url": "a"}\n'), false],
    ['the first magic byte alone', Buffer.from([0x1f, 0x8c]), false],
    ['one byte', Buffer.from([0x1f]), false]
  ])('%s', (_name, bytes, expected) => {
    expect(isGzip(bytes)).toBe(expected)
  })
})

describe('scanFile decompresses a gzip file', () => {
  it('checks and hashes the NDJSON in it, whatever the name, and keeps both sizes', async () => {
    const content = bigNdjson(3.5 * (1 << 20))
    const compressed = gzipSync(content)
    const path = await file('items.data', compressed)
    const plain = await scanFile(await file('items.ndjson', content))
    const { identity: _plainIdentity, path: _plainPath, ...checked } = plain
    expect(await scanFile(path)).toEqual({
      ...checked,
      path,
      identity: expect.objectContaining({ size: compressed.length }),
      gzipBytes: compressed.length,
      sizeBytes: content.length,
      crc32c: referenceCrc32cBase64(content)
    })
  })

  it('reads members one after the other as one file, and ignores zeros after the last', async () => {
    const [a, b] = ['{"url": "a"}\n', '{"url": "b"}\n']
    const path = await file(
      'members.ndjson.gz',
      Buffer.concat([gzip(a), gzip(b), Buffer.alloc(512)])
    )
    expect(await scanFile(path)).toMatchObject({
      sizeBytes: 26,
      items: 2,
      crc32c: referenceCrc32cBase64(Buffer.from(a + b))
    })
  })

  it('reports the bad lines of the NDJSON in it', async () => {
    const path = await file('bad.ndjson.gz', gzip('{"url": "a"}\n{"url": ""}\n'))
    const scan = await scanFile(path)
    expect(scan).toMatchObject({ items: 2, badLines: 1, gzipBytes: expect.any(Number) })
    expect(scan.problems).toEqual([
      { line: 2, message: '"url" must be a non-empty string, found an empty string' }
    ])
  })
})

describe('scanFile refuses a gzip file it cannot decompress', () => {
  const good = gzip(ndjson(items(200)))
  const TRUNCATED =
    'items.ndjson.gz is a truncated gzip file: it ends before its compressed data does. Compress the NDJSON again (`gzip -k items.ndjson`), and commit or upload the new file.'
  const corrupt = (zlib: string): string =>
    `items.ndjson.gz is a corrupt gzip file (zlib: ${zlib}). Compress the NDJSON again (\`gzip -k items.ndjson\`), and commit or upload the new file.`
  const flipped = (at: number): Buffer => {
    const bytes = Buffer.from(good)
    bytes[at < 0 ? bytes.length + at : at] ^= 0xff
    return bytes
  }

  it.each([
    ['cut in its data', good.subarray(0, good.length >> 1), TRUNCATED],
    ['cut before its trailer', good.subarray(0, good.length - 4), TRUNCATED],
    ['the magic number alone', good.subarray(0, 2), TRUNCATED],
    ['a wrong CRC-32 in the trailer', flipped(-6), corrupt('incorrect data check')],
    ['a wrong length in the trailer', flipped(-1), corrupt('incorrect length check')],
    ['an unknown compression method', flipped(2), corrupt('unknown compression method')],
    [
      'text after the last member',
      Buffer.concat([good, Buffer.from('more')]),
      corrupt('incorrect header check')
    ]
  ])('%s', async (_name, bytes, message) => {
    expect(await gzipRefusal(await file('broken.ndjson.gz', bytes))).toBe(message)
  })

  it('a gzip of nothing', async () => {
    expect(await gzipRefusal(await file('empty.ndjson.gz', gzip('')))).toBe(
      'items.ndjson.gz is gzip-compressed but holds nothing (0 bytes)'
    )
  })
})

describe('scanFile holds the decompressed size to the limit of one upload', () => {
  it('stops decompressing once past it', async () => {
    // A truncated member after 2 MiB of good ones: a scan that decompressed past the limit
    // would fail on it instead.
    const path = await file(
      'large.ndjson.gz',
      Buffer.concat([gzip(bigNdjson(2 << 20)), gzip('{"url": "a"}\n').subarray(0, 12)])
    )
    expect(await gzipRefusal(path, { maxBytes: 1 << 20 })).toBe(
      "items.ndjson.gz decompresses to more than 1.0 MiB, the most one upload can hold (Google Cloud Storage's limit for one object); split it into several datasets"
    )
  })

  it('refuses a larger plain file before reading it', async () => {
    const path = await file('large.ndjson', bigNdjson(1 << 20))
    expect(await gzipRefusal(path, { maxBytes: 1000 })).toBe(
      "items.ndjson.gz is more than 1000 B, the most one upload can hold (Google Cloud Storage's limit for one object); split it into several datasets"
    )
  })
})

/**
 * Has `act` run as the scan checks its first chunk, then checks every chunk as usual: what
 * happens next is counted in chunks, not timed. Restore the spy it returns.
 */
function onFirstChunk(act: () => void) {
  const original = NdjsonChecker.prototype.push
  const push = jest.spyOn(NdjsonChecker.prototype, 'push')
  push.mockImplementationOnce(function (this: NdjsonChecker, chunk) {
    act()
    original.call(this, chunk)
  })
  return push
}

describe('scanFile of a gzip file while things happen', () => {
  it('rejects with the reason within one decompressed chunk of the abort', async () => {
    const path = await file('abort.ndjson.gz', gzipSync(bigNdjson(8 << 20)))
    const controller = new AbortController()
    const reason = new Error('cancelled during')
    const push = onFirstChunk(() => controller.abort(reason))
    try {
      await expect(scanFile(path, { signal: controller.signal })).rejects.toBe(reason)
      expect(push).toHaveBeenCalledTimes(1)
    } finally {
      push.mockRestore()
    }
    // Nothing was left open or half-read: the same file scans fine afterwards.
    expect((await scanFile(path)).badLines).toBe(0)
  })

  it('a gzip file cut short while it is read has changed; it is not called truncated', async () => {
    // Random URLs barely compress: the gzip is many reads long, most of it unread at the cut.
    const random = prng(11)
    const noise = new Uint32Array(2 << 20)
    for (let i = 0; i < noise.length; i++) noise[i] = random() * 2 ** 32
    const base64 = Buffer.from(noise.buffer).toString('base64')
    const lines: string[] = []
    for (let at = 0; at < base64.length; at += 64) {
      lines.push(`{"url": "https://x/${base64.slice(at, at + 64)}"}\n`)
    }
    const compressed = gzipSync(lines.join(''), { level: 1 })
    expect(compressed.length).toBeGreaterThan(6 << 20)
    const path = await file('cut.ndjson.gz', compressed)
    const push = onFirstChunk(() => truncateSync(path, 4 << 20))
    try {
      expect(await gzipRefusal(path)).toBe(
        'items.ndjson.gz changed while it was being read. Make sure nothing writes the file during the step, then run it again.'
      )
    } finally {
      push.mockRestore()
    }
  })
})

describe('scannedBytes: what the upload sends of a gzip file', () => {
  let scan: FileScan
  let content: Buffer

  beforeAll(async () => {
    content = bigNdjson(3 << 20)
    scan = await scanFile(await file('upload.ndjson.gz', gzipSync(content)))
  })

  it('the decompressed NDJSON the scan checked and hashed', async () => {
    const sent = await uploadBytes(scan)
    expect(sent.length).toBe(scan.sizeBytes)
    expect(sent.equals(content)).toBe(true)
  })

  it.each([
    ['more', -1, (size: number) => `more than the ${size - 1} bytes it had`],
    ['less', 1, (size: number) => `${size} bytes, not the ${size + 1} it had`]
  ])('fails when it decompresses to %s than at the scan', async (_name, delta, found) => {
    const error: unknown = await uploadBytes({ ...scan, sizeBytes: scan.sizeBytes + delta }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(FileCheckError)
    expect((error as FileCheckError).message).toBe(
      `items.ndjson.gz decompressed to ${found(scan.sizeBytes)} when it was checked: it changed since. Make sure nothing writes the file during the step, then run it again.`
    )
  })

  it('a plain file: its own bytes', async () => {
    const plain = await scanFile(await file('upload.ndjson', content))
    expect((await uploadBytes(plain)).equals(content)).toBe(true)
  })
})
