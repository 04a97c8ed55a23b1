import {
  SCRATCH_BYTES,
  URL_END,
  URL_ESCAPED,
  URL_FLAGS,
  URL_HASH_HI,
  URL_HASH_LO,
  URL_QUERY,
  URL_RECORD_INTS,
  URL_START,
  URL_WEB,
  type FastPath
} from './fast-path.js'
import { urlFacts } from './url-facts.js'

/**
 * The url of each good line, as the checker (check.ts) reads the file: the same facts whichever
 * path took the line. The fast path's records carry them (fast-path.ts); for a url with escapes,
 * and for the lines the general machine reads, they are worked out here from the decoded url.
 */

/** Takes the url of each good line, in line order (url-checks.ts does the checks). */
export interface UrlSink {
  /**
   * The url of the good line `line` (1-based): its hash as two int32 and its flags (URL_WEB,
   * URL_QUERY, URL_TOO_LONG), as urlFacts() gives them for the decoded url; and that url as
   * UTF-8 in text[from, to), valid during the call only.
   */
  url(
    line: number,
    hashLo: number,
    hashHi: number,
    flags: number,
    text: Buffer,
    from: number,
    to: number
  ): void
}

/**
 * A url longer than this is not kept whole (memory stays bounded however long a line is): no
 * hash, and it is not a web url, since no storage serves one so long. The fast path accepts no
 * line as long, so both paths agree on every url they both see.
 */
export const MAX_URL_BYTES = SCRATCH_BYTES
/** The url is longer than MAX_URL_BYTES: its text is only its start, not decoded. */
export const URL_TOO_LONG = 8

export class UrlCapture {
  /** The raw content (between its quotes) of the url being read, or last read, on the line. */
  private raw = Buffer.allocUnsafe(1024)
  private length = 0
  private tooLong = false
  /** The fast path's memory, where its records point. */
  private memory: Buffer | undefined

  constructor(private readonly sink: UrlSink) {}

  /**
   * Takes b[from, to) of a url's raw content; `fresh`: the content starts at `from` (a url that
   * goes on from an earlier chunk is added to).
   */
  take(b: Buffer, from: number, to: number, fresh: boolean): void {
    if (fresh) {
      this.length = 0
      this.tooLong = false
    }
    const length = this.length + to - from
    if (this.tooLong || length > MAX_URL_BYTES) {
      this.tooLong = true
      return
    }
    if (length > this.raw.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(MAX_URL_BYTES, Math.max(length, this.raw.length * 2))
      )
      this.raw.copy(grown, 0, 0, this.length)
      this.raw = grown
    }
    b.copy(this.raw, this.length, from, to)
    this.length = length
  }

  /** The good line `line` ends: its url is the last one taken. */
  line(line: number): void {
    if (this.tooLong) this.sink.url(line, 0, 0, URL_TOO_LONG, this.raw, 0, this.length)
    else if (this.raw.subarray(0, this.length).includes(0x5c)) {
      this.decoded(line, this.raw, 0, this.length)
    } else this.plain(line, this.raw.subarray(0, this.length))
  }

  /** The fast path accepted `n` lines, the first of them `firstLine`: their records. */
  fastLines(fast: FastPath, n: number, firstLine: number): void {
    const memory = (this.memory ??= Buffer.from(fast.scratch.buffer))
    const records = fast.records
    const sink = this.sink
    for (let k = 0, r = 0; k < n; k++, r += URL_RECORD_INTS) {
      const flags = records[r + URL_FLAGS]
      const start = records[r + URL_START]
      const end = records[r + URL_END]
      if ((flags & URL_ESCAPED) !== 0) this.decoded(firstLine + k, memory, start, end)
      else {
        const hashLo = records[r + URL_HASH_LO]
        const hashHi = records[r + URL_HASH_HI]
        sink.url(firstLine + k, hashLo, hashHi, flags & (URL_WEB | URL_QUERY), memory, start, end)
      }
    }
  }

  /** A url with escapes: its facts are those of the url they stand for, as UTF-8. */
  private decoded(line: number, raw: Buffer, from: number, to: number): void {
    // The content of a good line's string: JSON.parse cannot fail on it. A lone surrogate
    // (`\ud800`) becomes U+FFFD, on both paths alike.
    const url = JSON.parse(`"${raw.toString('utf8', from, to)}"`) as string
    this.plain(line, Buffer.from(url, 'utf8'))
  }

  private plain(line: number, text: Buffer): void {
    const { hashLo, hashHi, web, query } = urlFacts(text)
    const flags = (web ? URL_WEB : 0) | (query ? URL_QUERY : 0)
    this.sink.url(line, hashLo, hashHi, flags, text, 0, text.length)
  }
}
