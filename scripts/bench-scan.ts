/**
 * Throughput of the pre-upload file pass over a ~256 MiB file of typical lines: CRC-32C alone,
 * the line check alone, and the whole scanFile(). Not a test: timings vary with the machine.
 *
 *   node .build/scripts/bench-scan.js [file.ndjson]
 *
 * Without a file it writes one of typical lines under the OS temp directory (kept for reuse).
 */
import { appendFile, open, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Crc32c } from '../src/crc32c.js'
import { scanFile } from '../src/file-scan.js'
import { NdjsonChecker } from '../src/ndjson-check.js'

const MiB = 1 << 20
const BENCH_FILE_BYTES = 256 * MiB

function typicalLine(n: number): string {
  const url = `https://storage.example.com/datasets/vision/images/${String(n).padStart(9, '0')}.jpg`
  return `{"kind": "Image", "url": "${url}"}\n`
}

/** ~256 MiB (~2.9M lines) of typical lines; written once, reused while its size is right. */
export async function benchFile(): Promise<string> {
  const path = join(tmpdir(), 'nexus-bench-scan-256mib.ndjson')
  const lineBytes = Buffer.byteLength(typicalLine(0))
  const lines = Math.floor(BENCH_FILE_BYTES / lineBytes)
  if ((await stat(path).catch(() => undefined))?.size === lines * lineBytes) return path
  await writeFile(path, '')
  for (let first = 0; first < lines; first += 100_000) {
    const batch: string[] = []
    for (let n = first; n < Math.min(lines, first + 100_000); n++) batch.push(typicalLine(n))
    await appendFile(path, batch.join(''))
  }
  return path
}

/**
 * One pass over the file as scanFile reads it: 1 MiB reads, the next one under way while `use`
 * works on the current chunk, so that the figures are comparable.
 */
async function eachChunk(path: string, use: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(path, 'r')
  const buffers = [Buffer.allocUnsafe(MiB), Buffer.allocUnsafe(MiB)]
  const read = async (k: number, at: number): Promise<Buffer> =>
    buffers[k].subarray(0, (await handle.read(buffers[k], 0, MiB, at)).bytesRead)
  try {
    let next = read(0, 0)
    for (let at = 0, k = 0; ; k = 1 - k) {
      const chunk = await next
      if (chunk.length === 0) return
      at += chunk.length
      next = read(1 - k, at)
      use(chunk)
    }
  } finally {
    await handle.close()
  }
}

function passes(path: string): Record<string, () => Promise<unknown>> {
  return {
    'read only': () => eachChunk(path, () => undefined),
    'CRC-32C alone': async () => {
      const crc = await Crc32c.create()
      await eachChunk(path, chunk => crc.update(chunk))
      return crc.digest()
    },
    'line check alone': async () => {
      const checker = new NdjsonChecker()
      await eachChunk(path, chunk => checker.push(chunk))
      return checker.finish()
    },
    'scanFile (CRC + check)': () => scanFile(path)
  }
}

/**
 * MiB/s of each pass (median of `runs`), on `path` or on the bench file. The first figures of a
 * run include JIT warm-up, which the action, scanning once per process, pays too.
 */
export async function benchScan(
  path?: string,
  options: { runs?: number; log?: (line: string) => void } = {}
): Promise<Record<string, number>> {
  const { runs = 3, log = () => undefined } = options
  const file = path ?? (await benchFile())
  const { size } = await stat(file)
  log(`${file}: ${(size / MiB).toFixed(0)} MiB`)
  const figures: Record<string, number> = {}
  for (const [name, pass] of Object.entries(passes(file))) {
    const rates: number[] = []
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      await pass()
      rates.push(size / MiB / ((performance.now() - started) / 1000))
    }
    const sorted = [...rates].sort((a, b) => a - b)
    figures[name] = sorted[Math.floor(sorted.length / 2)]
    const shown = rates.map(rate => rate.toFixed(0)).join(', ')
    log(`${name.padEnd(24)} ${figures[name].toFixed(0).padStart(5)} MiB/s median (runs: ${shown})`)
  }
  const scan = await scanFile(file)
  if (scan.badLines !== 0) throw new Error(`the bench file has ${scan.badLines} bad lines`)
  return figures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchScan(process.argv[2], { runs: 5, log: line => console.log(line) })
}
