/**
 * Throughput of the pre-upload file pass: CRC-32C alone, the line check alone, and scanFile()
 * on one thread and with workers, over a ~256 MiB file of typical lines. Not a test.
 *
 *   npx tsc ... && node .build/scripts/bench-scan.js [sizeMiB]
 *
 * The script is also its own scan worker, the way the action's bundle is.
 */
import { open, stat, writeFile, appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Crc32c } from '../src/crc32c.js'
import { isScanWorker, runScanWorker, scanFile } from '../src/file-scan.js'
import { NdjsonChecker } from '../src/ndjson-check.js'

export interface ScanBenchFigure {
  name: string
  /** MiB/s of the first run (what the action sees: one cold pass) and of the best run. */
  firstMiBps: number
  bestMiBps: number
}

export interface ScanBenchResult {
  path: string
  sizeBytes: number
  lines: number
  figures: ScanBenchFigure[]
}

const MiB = 1 << 20

/** Writes (once; reused while its size matches) a file of typical dataset lines. */
export async function benchFile(sizeMiB: number): Promise<{ path: string; lines: number }> {
  const path = join(tmpdir(), `nexus-bench-scan-${sizeMiB}mib.ndjson`)
  const size = sizeMiB * MiB
  const line = (n: number): string =>
    `{"kind": "Image", "url": "https://storage.example.com/datasets/vision/images/${String(n).padStart(9, '0')}.jpg"}\n`
  const lines = Math.floor(size / Buffer.byteLength(line(0)))
  const expected = lines * Buffer.byteLength(line(0))
  const existing = await stat(path).catch(() => undefined)
  if (existing?.size !== expected) {
    await writeFile(path, '')
    const batch = 50_000
    for (let first = 0; first < lines; first += batch) {
      const parts: string[] = []
      for (let n = first; n < Math.min(lines, first + batch); n++) parts.push(line(n))
      await appendFile(path, parts.join(''))
    }
  }
  return { path, lines }
}

async function eachChunk(path: string, use: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(path, 'r')
  const buffer = Buffer.allocUnsafe(MiB)
  try {
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at)
      if (bytesRead === 0) return
      use(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
  } finally {
    await handle.close()
  }
}

async function measure(
  name: string,
  sizeBytes: number,
  runs: number,
  pass: () => Promise<unknown>
): Promise<ScanBenchFigure> {
  const rates: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    await pass()
    rates.push(sizeBytes / MiB / ((performance.now() - started) / 1000))
  }
  return { name, firstMiBps: Math.round(rates[0]), bestMiBps: Math.round(Math.max(...rates)) }
}

export async function benchScan(
  options: { sizeMiB?: number; runs?: number; log?: (line: string) => void } = {}
): Promise<ScanBenchResult> {
  const { sizeMiB = 256, runs = 3, log = () => undefined } = options
  const { path, lines } = await benchFile(sizeMiB)
  const sizeBytes = (await stat(path)).size
  log(`${path}: ${(sizeBytes / MiB).toFixed(0)} MiB, ${lines} lines`)
  const passes: Array<[string, () => Promise<unknown>]> = [
    ['read only', () => eachChunk(path, () => undefined)],
    [
      'CRC-32C alone',
      async () => {
        const crc = await Crc32c.create()
        await eachChunk(path, chunk => crc.update(chunk))
        return crc.digest()
      }
    ],
    [
      'line check alone',
      async () => {
        const checker = new NdjsonChecker()
        await eachChunk(path, chunk => checker.push(chunk))
        return checker.finish()
      }
    ],
    ['scanFile, 1 thread', () => scanFile(path)],
    ['scanFile, workers', () => scanFile(path, { workerScript: new URL(import.meta.url) })]
  ]
  const figures: ScanBenchFigure[] = []
  for (const [name, pass] of passes) {
    const figure = await measure(name, sizeBytes, runs, pass)
    log(`${name.padEnd(20)} first ${figure.firstMiBps} MiB/s, best ${figure.bestMiBps} MiB/s`)
    figures.push(figure)
  }
  const scan = await scanFile(path, { workerScript: new URL(import.meta.url) })
  if (scan.items !== lines || scan.badLines !== 0) {
    throw new Error(`bench file misread: ${scan.items} items, ${scan.badLines} bad lines`)
  }
  return { path, sizeBytes, lines, figures }
}

if (isScanWorker()) {
  await runScanWorker()
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizeMiB = Number(process.argv[2] ?? 256)
  await benchScan({ sizeMiB, log: line => console.log(line) })
}
