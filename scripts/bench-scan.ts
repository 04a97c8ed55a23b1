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
import { Crc32c } from '../src/ndjson/crc32c.js'
import { readChunks, scanFile, type FileScan } from '../src/ndjson/file-scan.js'
import { NdjsonChecker } from '../src/ndjson/check.js'

export const MiB = 1 << 20

function typicalLine(n: number): string {
  const url = `https://storage.example.com/datasets/vision/images/${String(n).padStart(9, '0')}.jpg`
  return `{"kind": "Image", "url": "${url}"}\n`
}

/** About `bytes` of typical lines (256 MiB: ~2.9M lines); written once, reused while intact. */
export async function benchFile(bytes = 256 * MiB): Promise<string> {
  const path = join(tmpdir(), `nexus-bench-${Math.round(bytes / MiB)}mib.ndjson`)
  const lineBytes = Buffer.byteLength(typicalLine(0))
  const lines = Math.floor(bytes / lineBytes)
  if ((await stat(path).catch(() => undefined))?.size === lines * lineBytes) return path
  await writeFile(path, '')
  for (let first = 0; first < lines; first += 100_000) {
    const batch: string[] = []
    for (let n = first; n < Math.min(lines, first + 100_000); n++) batch.push(typicalLine(n))
    await appendFile(path, batch.join(''))
  }
  return path
}

/** One pass over the file exactly as scanFile reads it, so that the figures compare. */
async function eachChunk(path: string, use: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    for await (const chunk of readChunks(handle, { path, name: path }, size)) use(chunk)
  } finally {
    await handle.close()
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function passes(
  path: string,
  keep: (scan: FileScan) => void
): Record<string, () => Promise<unknown>> {
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
    'scanFile (CRC + check)': async () => keep(await scanFile(path))
  }
}

/**
 * MiB/s of each pass (median of `runs`), on `path` or on the bench file. The first figures of a
 * run include JIT warm-up, which the action, scanning once per process, pays too.
 */
export async function benchScan(
  path?: string,
  options: { runs?: number; log?: (line: string) => void } = {}
): Promise<{ figures: Record<string, number>; scan: FileScan }> {
  const { runs = 3, log = () => undefined } = options
  const file = path ?? (await benchFile())
  const { size } = await stat(file)
  log(`${file}: ${(size / MiB).toFixed(0)} MiB`)
  const figures: Record<string, number> = {}
  let scan: FileScan | undefined
  for (const [name, pass] of Object.entries(passes(file, kept => (scan = kept)))) {
    const rates: number[] = []
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      await pass()
      rates.push(size / MiB / ((performance.now() - started) / 1000))
    }
    figures[name] = median(rates)
    const shown = rates.map(rate => rate.toFixed(0)).join(', ')
    log(`${name.padEnd(24)} ${figures[name].toFixed(0).padStart(5)} MiB/s median (runs: ${shown})`)
  }
  if (!scan || scan.badLines !== 0) throw new Error(`the bench file has bad lines: ${file}`)
  return { figures, scan }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchScan(process.argv[2], { runs: 5, log: line => console.log(line) })
}
