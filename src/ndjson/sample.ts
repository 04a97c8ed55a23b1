import { FileCheckError } from '../shared/errors.js'
import { t } from '../shared/outside-text.js'
import { prng } from '../shared/prng.js'
import { isJsonSpace } from './file-cause.js'
import { openUnchanged, scannedChunks, type FileScan } from './file-scan.js'

/**
 * The items whose URLs are requested (url-sample): which ones, and a second read of the checked
 * file that takes those lines' URLs and nothing else.
 */

/**
 * `n` distinct item indexes in [0, count), ascending; all of them when count <= n. The choice is
 * uniform (Floyd's algorithm: n draws, whatever the count) and depends only on the arguments:
 * seeded with the file's CRC-32C, a re-run of the same file samples the same items.
 */
export function sampleIndexes(count: number, n: number, seed: number): number[] {
  if (count <= n) return Array.from({ length: count }, (_, i) => i)
  const random = prng(seed)
  const chosen = new Set<number>()
  for (let j = count - n; j < count; j++) {
    const pick = Math.floor(random() * (j + 1))
    chosen.add(chosen.has(pick) ? j : pick)
  }
  return [...chosen].sort((a, b) => a - b)
}

/** One sampled item: its 1-based line number in the file and its `url`. */
export interface SampledUrl {
  line: number
  url: string
}

export interface Sample {
  /** The chosen items' URLs, in file order. */
  urls: SampledUrl[]
  /** Chosen items whose line is longer than MAX_SAMPLED_LINE_BYTES: their URLs were not kept. */
  longLines: number[]
}

/**
 * A chosen line is kept whole to be parsed, so its length is capped: a URL is a few hundred bytes
 * (a few KiB signed), and storage refuses much longer ones. With at most 1000 chosen items this
 * bounds what a sample holds to 32 MiB however long the lines are.
 */
export const MAX_SAMPLED_LINE_BYTES = 32 * 1024

/**
 * The `url` of each chosen item (an index among the non-blank lines, as sampleIndexes gives),
 * reading the scanned bytes again in chunks (a gzip file's NDJSON) and keeping only the chosen lines. The file must be
 * the one scanned (same identity) and is not checked again: each chosen line is parsed as it is.
 * Throws FileCheckError if the file changed since the scan; rejects with the signal's reason once
 * it aborts.
 */
export async function readSampledUrls(
  file: Pick<FileScan, 'path' | 'identity' | 'sizeBytes' | 'gzipBytes'>,
  itemIndexes: readonly number[],
  options: { signal?: AbortSignal; label?: string } = {}
): Promise<Sample> {
  const at = { path: file.path, name: options.label ?? `"${file.path}"` }
  const sample: Sample = { urls: [], longLines: [] }
  if (itemIndexes.length === 0) return sample
  const lines = new ChosenLines(itemIndexes, (line, text) => {
    if (text === undefined) {
      sample.longLines.push(line)
      return
    }
    const url = (JSON.parse(text) as { url?: unknown }).url
    if (typeof url !== 'string') {
      throw new FileCheckError(
        t`${at.name} changed after it was checked: line ${line} has no "url" now`,
        file.path
      )
    }
    sample.urls.push({ line, url })
  })
  const handle = await openUnchanged(at, file.identity)
  try {
    for await (const chunk of scannedChunks(handle, file, at.name, options.signal)) {
      if (lines.push(chunk)) break
    }
    lines.finish()
  } finally {
    await handle.close()
  }
  return sample
}

/**
 * Walks lines across chunks, numbering them and counting the items (non-blank lines), and hands
 * each chosen item's text (undefined when longer than MAX_SAMPLED_LINE_BYTES) to `take`.
 */
class ChosenLines {
  /** 1-based number of the current line. */
  private line = 1
  /** Items before the current line. */
  private items = 0
  /** The next chosen item's position in `wanted`. */
  private next = 0
  /** The current line holds only whitespace so far. */
  private blank = true
  private chosen = false
  private parts: Buffer[] = []
  private kept = 0
  private tooLong = false

  constructor(
    private readonly wanted: readonly number[],
    private readonly take: (line: number, text: string | undefined) => void
  ) {}

  /** Reads a chunk; true once every chosen item has been taken (the rest need not be read). */
  push(chunk: Buffer): boolean {
    let i = 0
    while (i < chunk.length) {
      if (this.blank) {
        while (i < chunk.length && chunk[i] !== 0x0a && isJsonSpace(chunk[i])) i++
        if (i === chunk.length) break
        if (chunk[i] === 0x0a) {
          this.line++
          i++
          continue
        }
        this.blank = false
        this.chosen = this.items === this.wanted[this.next]
      }
      const newline = chunk.indexOf(0x0a, i)
      const end = newline < 0 ? chunk.length : newline
      if (this.chosen) this.keep(chunk.subarray(i, end))
      if (newline < 0) break
      this.endLine()
      if (this.next === this.wanted.length) return true
      i = newline + 1
    }
    return false
  }

  /** The end of the file: a last line without a final newline is an item too. */
  finish(): void {
    if (!this.blank) this.endLine()
  }

  private keep(piece: Buffer): void {
    if (this.tooLong) return
    if (this.kept + piece.length > MAX_SAMPLED_LINE_BYTES) {
      this.tooLong = true
      this.parts = []
      return
    }
    // A chunk is reused by the next read: the piece is copied.
    this.parts.push(Buffer.from(piece))
    this.kept += piece.length
  }

  private endLine(): void {
    if (this.chosen) {
      this.take(
        this.line,
        this.tooLong ? undefined : Buffer.concat(this.parts, this.kept).toString('utf8')
      )
      this.next++
      this.parts = []
      this.kept = 0
      this.tooLong = false
    }
    this.items++
    this.line++
    this.blank = true
    this.chosen = false
  }
}
