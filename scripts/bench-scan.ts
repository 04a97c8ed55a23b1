/**
 * Throughput of the pre-upload file pass over ~256 MiB files of three line shapes (SHAPES):
 * reading alone and CRC-32C alone (once: they do not look at the lines), then per shape the line
 * check alone and the whole scanFile(), with the CRC beside the check (in a worker thread, as the
 * action does it with two cores or more) and inline. Not a test: timings vary with the machine.
 *
 *   node .build/scripts/bench-scan.js [file.ndjson]
 *
 * Without a file it writes one file per shape under BENCH_DIR (kept for reuse).
 */
import { mkdir, appendFile, open, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Crc32c } from '../src/ndjson/crc32c.js'
import { readChunks, scanFile, type FileScan } from '../src/ndjson/file-scan.js'
import { NdjsonChecker } from '../src/ndjson/check.js'
import { ROOT } from './run-action.js'

export const MiB = 1 << 20

/** Where the benches write their files: git-ignored, and not the OS temp folder. */
export const BENCH_DIR = join(ROOT, '.build', 'bench')

function imageUrl(n: number): string {
  return `https://storage.example.com/datasets/vision/images/${String(n).padStart(9, '0')}.jpg`
}

/**
 * Line n of each shape: string members only (what the fast path took before issue 20), two
 * numbers, and a nested object with a number and an array. Every line of a shape has the same
 * length, so that a file's size tells its line count.
 */
export const SHAPES = {
  plain: (n: number) => `{"kind": "Image", "url": "${imageUrl(n)}"}\n`,
  numbers: (n: number) =>
    `{"kind": "Image", "url": "${imageUrl(n)}", "width": ${320 + (n % 680)}, "height": ${240 + (n % 760)}}\n`,
  nested: (n: number) =>
    `{"kind": "Image", "url": "${imageUrl(n)}", "metadata": {"split": "${n % 10 === 0 ? 'valid' : 'train'}", "id": ${10_000 + (n % 90_000)}, "tags": ["a", "b"]}}\n`
} satisfies Record<string, (n: number) => string>

export type Shape = keyof typeof SHAPES

/** About `bytes` of `shape` lines (256 MiB: ~2.9M plain lines); written once, reused while intact. */
export async function benchFile(bytes = 256 * MiB, shape: Shape = 'plain'): Promise<string> {
  const line = SHAPES[shape]
  await mkdir(BENCH_DIR, { recursive: true })
  const path = join(BENCH_DIR, `${shape}-${Math.round(bytes / MiB)}mib.ndjson`)
  const lineBytes = Buffer.byteLength(line(0))
  const lines = Math.floor(bytes / lineBytes)
  if ((await stat(path).catch(() => undefined))?.size === lines * lineBytes) return path
  await writeFile(path, '')
  for (let first = 0; first < lines; first += 100_000) {
    const batch: string[] = []
    for (let n = first; n < Math.min(lines, first + 100_000); n++) batch.push(line(n))
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

/** The passes that do not look at the lines: measured on one file. */
function bytePasses(path: string): Record<string, () => Promise<unknown>> {
  return {
    'read only': () => eachChunk(path, () => undefined),
    'CRC-32C alone': async () => {
      const crc = new Crc32c()
      await eachChunk(path, chunk => crc.update(chunk))
      return crc.digest()
    }
  }
}

/** The passes that check the lines: measured on each shape. */
function linePasses(
  path: string,
  keep: (scan: FileScan) => void
): Record<string, () => Promise<unknown>> {
  return {
    'line check alone': async () => {
      const checker = new NdjsonChecker()
      await eachChunk(path, chunk => checker.push(chunk))
      const check = checker.finish()
      if (check.badLines !== 0) throw new Error(`the bench file has bad lines: ${path}`)
      return check
    },
    'scanFile (CRC + check)': async () => keep(await scanFile(path)),
    'scanFile, CRC inline': () => scanFile(path, { crc: 'inline' })
  }
}

export interface ScanFigures {
  /** MiB/s by pass name, and by `name (shape)` for the passes run on each shape: the medians. */
  figures: Record<string, number>
  /** The scan of each file, by shape (or by the one file's path). */
  scans: Record<string, FileScan>
}

/**
 * MiB/s of each pass on `files` (a label each: a shape or a path), after one warm-up pass that
 * is not counted (JIT, the WebAssembly compile: start-up, which the action pays once per
 * process); the median and the best of `runs` passes.
 */
async function measure(
  files: Record<string, string>,
  runs: number,
  log: (line: string) => void
): Promise<ScanFigures> {
  const figures: Record<string, number> = {}
  const scans: Record<string, FileScan> = {}
  const entries = Object.entries(files)
  const timed = async (name: string, path: string, pass: () => Promise<unknown>) => {
    const { size } = await stat(path)
    await pass()
    const rates: number[] = []
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      await pass()
      rates.push(size / MiB / ((performance.now() - started) / 1000))
    }
    figures[name] = median(rates)
    const best = Math.max(...rates)
    log(
      `${name.padEnd(34)} ${figures[name].toFixed(0).padStart(5)} MiB/s median, ${best.toFixed(0).padStart(5)} best (runs: ${rates.map(rate => rate.toFixed(0)).join(', ')})`
    )
  }
  for (const [name, pass] of Object.entries(bytePasses(entries[0][1]))) {
    await timed(name, entries[0][1], pass)
  }
  for (const [label, path] of entries) {
    const { size } = await stat(path)
    log(`${label}: ${path}, ${(size / MiB).toFixed(0)} MiB`)
    for (const [name, pass] of Object.entries(linePasses(path, scan => (scans[label] = scan)))) {
      await timed(entries.length > 1 ? `${name} (${label})` : name, path, pass)
    }
  }
  return { figures, scans }
}

/** The three shapes' 256 MiB files (written if missing), measured as `measure` says. */
export async function benchScan(
  options: { runs?: number; log?: (line: string) => void } = {}
): Promise<ScanFigures> {
  const { runs = 3, log = () => undefined } = options
  const files: Record<string, string> = {}
  for (const shape of Object.keys(SHAPES) as Shape[])
    files[shape] = await benchFile(256 * MiB, shape)
  return measure(files, runs, log)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const log = (line: string): void => console.log(line)
  const file = process.argv[2]
  if (file === undefined) await benchScan({ runs: 5, log })
  else await measure({ [file]: file }, 5, log)
}
