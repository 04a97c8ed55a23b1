import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { SCRATCH_BYTES } from '../../src/ndjson/fast-path.js'
import { scanFile } from '../../src/ndjson/file-scan.js'
import {
  MAX_SAMPLED_LINE_BYTES,
  readSampledUrls,
  sampleIndexes,
  type Sample
} from '../../src/ndjson/sample.js'
import { FileCheckError } from '../../src/shared/errors.js'

describe('sampleIndexes', () => {
  it('gives the same indexes for the same seed, others for another', () => {
    const first = sampleIndexes(1_000_000, 100, 0xe3069283)
    expect(sampleIndexes(1_000_000, 100, 0xe3069283)).toEqual(first)
    expect(sampleIndexes(1_000_000, 100, 0xe3069284)).not.toEqual(first)
  })

  it('gives n distinct indexes in range, ascending', () => {
    for (const [count, n, seed] of [
      [10, 9, 1],
      [1001, 1000, 2],
      [5_000_000, 1000, 3],
      [2, 1, 4]
    ]) {
      const picked = sampleIndexes(count, n, seed)
      expect(picked).toHaveLength(n)
      expect(new Set(picked).size).toBe(n)
      expect(picked.every(i => Number.isInteger(i) && i >= 0 && i < count)).toBe(true)
      expect(picked).toEqual([...picked].sort((a, b) => a - b))
    }
  })

  it('spreads the picks across the file', () => {
    const picked = sampleIndexes(1_000_000, 1000, 7)
    const quarters = [0, 0, 0, 0]
    for (const i of picked) quarters[Math.floor(i / 250_000)]++
    // Each quarter expects 250; a bias to one end (say j's own values) would empty some.
    for (const q of quarters) expect(q).toBeGreaterThan(180)
  })

  it('gives every index when the file has no more items than asked for', () => {
    expect(sampleIndexes(3, 3, 1)).toEqual([0, 1, 2])
    expect(sampleIndexes(3, 1000, 1)).toEqual([0, 1, 2])
    expect(sampleIndexes(0, 5, 1)).toEqual([])
    expect(sampleIndexes(10, 0, 1)).toEqual([])
  })
})

describe('readSampledUrls', () => {
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-test-'))
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function sampled(content: string | Buffer, indexes: number[]): Promise<Sample> {
    const path = join(dir, 'items.ndjson')
    await writeFile(path, content)
    return readSampledUrls(await scanFile(path), indexes)
  }

  it('reads a gzip file as the NDJSON it holds, as the scan did', async () => {
    const content = Array.from({ length: 50 }, (_, i) => `{"url": "https://a.example/${i}.jpg"}`)
    expect((await sampled(gzipSync(content.join('\n')), [0, 17, 49])).urls).toEqual(
      [0, 17, 49].map(i => ({ line: i + 1, url: `https://a.example/${i}.jpg` }))
    )
  })

  it('numbers lines from 1, counting blank lines as lines but not as items', async () => {
    const content = [
      '{"url": "https://a.example/0.jpg"}',
      '',
      '   \t',
      '{"kind": "Image", "url": "https://a.example/1.jpg"}',
      '  {"url": "https://a.example/2.jpg"}  ',
      '\r',
      '{"url": "https://a.example/3.jpg"}',
      ''
    ].join('\n')
    expect(await sampled(content, [0, 1, 2, 3])).toEqual({
      urls: [
        { line: 1, url: 'https://a.example/0.jpg' },
        { line: 4, url: 'https://a.example/1.jpg' },
        { line: 5, url: 'https://a.example/2.jpg' },
        { line: 7, url: 'https://a.example/3.jpg' }
      ],
      longLines: []
    })
    expect((await sampled(content, [2])).urls).toEqual([
      { line: 5, url: 'https://a.example/2.jpg' }
    ])
  })

  it('reads CRLF lines, escapes, and a last line without a final newline', async () => {
    const content =
      '{"url": "https://a.example/0.jpg"}\r\n\r\n' +
      '{"url": "https:\\/\\/a.example\\/\\u00e9.jpg?a=1\\u0026b=2"}\r\n' +
      '{"url": "https://a.example/last.jpg"}'
    expect((await sampled(content, [0, 1, 2])).urls).toEqual([
      { line: 1, url: 'https://a.example/0.jpg' },
      { line: 3, url: 'https://a.example/é.jpg?a=1&b=2' },
      { line: 4, url: 'https://a.example/last.jpg' }
    ])
  })

  it('takes the url the checker checked when a line names it twice: the last', async () => {
    expect((await sampled('{"url": "https://a/1", "url": "https://a/2"}\n', [0])).urls).toEqual([
      { line: 1, url: 'https://a/2' }
    ])
  })

  it('reads a chosen line cut across the chunks of a file larger than one', async () => {
    // Lines of 100 bytes; the line across the first chunk boundary is chosen.
    const line = (i: number): string => {
      const head = `{"url": "https://a.example/${i}.jpg", "pad": "`
      return `${head}${'x'.repeat(98 - head.length)}"}\n`
    }
    const count = Math.ceil((2.5 * SCRATCH_BYTES) / 100)
    const content = Array.from({ length: count }, (_, i) => line(i)).join('')
    const across = Math.floor(SCRATCH_BYTES / 100)
    expect(SCRATCH_BYTES % 100).not.toBe(0)
    const indexes = [0, across, across + 1, 2 * across + 1, count - 1]
    expect((await sampled(content, indexes)).urls).toEqual(
      indexes.map(i => ({ line: i + 1, url: `https://a.example/${i}.jpg` }))
    )
  })

  it('keeps no line longer than the cap: it is listed instead', async () => {
    const long = `{"url": "https://a.example/long.jpg", "pad": "${'x'.repeat(MAX_SAMPLED_LINE_BYTES)}"}`
    const content = `${long}\n{"url": "https://a.example/1.jpg"}\n${long}`
    expect(await sampled(content, [0, 1, 2])).toEqual({
      urls: [{ line: 2, url: 'https://a.example/1.jpg' }],
      longLines: [1, 3]
    })
  })

  it('throws FileCheckError when the file changed since the scan', async () => {
    const path = join(dir, 'changing.ndjson')
    await writeFile(path, '{"url": "https://a/1"}\n')
    const scan = await scanFile(path)
    await writeFile(path, '{"url": "https://a/1"}\n{"url": "https://a/2"}\n')
    const error: unknown = await readSampledUrls(scan, [0], { label: 'items.ndjson' }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(FileCheckError)
    expect((error as FileCheckError).message).toBe(
      'items.ndjson changed while it was being read. Make sure nothing writes the file during the step, then run it again.'
    )
  })

  it('rejects with the reason of an aborted signal', async () => {
    const path = join(dir, 'items.ndjson')
    await writeFile(path, '{"url": "https://a/1"}\n')
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(
      readSampledUrls(await scanFile(path), [0], { signal: controller.signal })
    ).rejects.toThrow('cancelled')
  })
})
