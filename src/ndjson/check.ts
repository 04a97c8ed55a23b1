import { fastPath, SCRATCH_BYTES, type FastPath } from './fast-path.js'
import { fileCause, FIRST_BYTES, isJsonSpace, type FileCause } from './file-cause.js'
import { J_END_OF_LINE, J_UNEXPECTED, LineMachine, T_OBJECT } from './line-machine.js'
import { describeProblem, JsonError, type LineProblem } from './line-problem.js'
import { UrlCapture, type UrlSink } from './url-capture.js'
import { countChars, findCut, Utf8Faults } from './utf8.js'

export type { FileCause } from './file-cause.js'
export type { LineProblem } from './line-problem.js'
export type { UrlSink } from './url-capture.js'
export { MAX_DEPTH } from './line-machine.js'

/**
 * Streaming NDJSON line checker: every non-blank line must be a strict JSON object whose `url` is
 * a string, neither empty nor only whitespace, and whose `kind`, when present, is a string. It
 * reads chunks, which may split lines and characters anywhere, in constant memory however long a
 * line is. Runs of plain lines (string members only, no escapes, a "url" neither empty nor
 * starting with a space) take a fast path in WebAssembly (fast-path.ts), which accepts only lines
 * the general machine (line-machine.ts, the one grammar of a line) accepts; any other line, or one
 * cut by the end of a chunk, goes through that machine. This class knows the rest: where lines and
 * columns are, the file's ill-formed UTF-8 (utf8.ts) and byte-order mark, which lines are bad and
 * their first problem (worded in line-problem.ts), and a few facts about the whole file, from
 * which file-cause.ts names the cause of a file in the wrong format.
 */

export interface NdjsonCheck {
  /** Non-blank lines, good or bad. */
  items: number
  lines: number
  badLines: number
  /** The first MAX_PROBLEMS bad lines, one problem each (the first one found on the line). */
  problems: LineProblem[]
  /**
   * Set when the file has bad lines because it is in the wrong format as a whole (UTF-16,
   * compressed, one JSON array...): the one thing to tell, instead of its bad lines.
   */
  cause?: FileCause
}

export const MAX_PROBLEMS = 10

const BOM = [0xef, 0xbb, 0xbf]

export class NdjsonChecker extends LineMachine {
  /** Hands the url of each good line to the sink given, when one is. */
  private readonly urls: UrlCapture | undefined

  /**
   * `fast`: the SIMD path by default; tests pass the scalar one to check the JS path alone.
   * `urls`: takes the url of each good line (url-checks.ts).
   */
  constructor(
    private readonly fast: FastPath = fastPath(),
    urls?: UrlSink
  ) {
    super()
    this.urls = urls && new UrlCapture(urls)
  }

  private items = 0
  private lines = 0
  private badLines = 0
  private readonly problems: LineProblem[] = []

  private bomMatched = 0
  /** The current line starts with the file's UTF-8 byte-order mark. */
  private bom = false

  // The file's shape, for fileCause(): see FileShape.
  private readonly firstBytes = new Uint8Array(FIRST_BYTES)
  private firstLength = 0
  private lastNonBlank = -1
  private firstItemComplete = false
  private openObjectLine = 0
  private closerLine = false
  private secondValueAt = -1

  // The current line.
  private lineStart = 0
  /** Characters of the current line in earlier chunks: columns are counted from the line start. */
  private lineChars = 0
  private readonly json = new JsonError()
  /** The line's first ill-formed UTF-8, and where the rest of the chunk's is. */
  private readonly utf8 = new Utf8Faults()

  push(chunk: Uint8Array): void {
    if (this.base < FIRST_BYTES) this.keepFirstBytes(chunk)
    this.noteLastNonBlank(chunk)
    // The fast path can only read WebAssembly memory: chunks are copied there, piece by piece
    // (the copy costs a few percent of a file scan; the check does not care where pieces end).
    const fast = this.fast
    for (let at = 0; at < chunk.length; at += SCRATCH_BYTES) {
      const piece = chunk.subarray(at, at + SCRATCH_BYTES)
      fast.scratch.set(piece)
      this.pushPiece(fast.scratch.subarray(0, piece.length), fast)
    }
  }

  /** b: the start of the scratch area. */
  private pushPiece(b: Buffer, fast: FastPath): void {
    const end = b.length
    this.json.resume(b, end)
    if (this.base < BOM.length) this.matchBom(b)

    const utf8 = this.utf8
    const from = utf8.continueTail(b, end)
    const cut = findCut(b, from, end)
    utf8.findBad(b, from, cut)

    const lim = b.lastIndexOf(0x0a) + 1
    const address = b.byteOffset
    let i = 0
    while (i < end) {
      if (this.blankSoFar()) {
        // Whole lines only, and none with ill-formed UTF-8: the fast path does not look for it.
        const stop = utf8.nextBad < lim ? b.lastIndexOf(0x0a, utf8.nextBad) + 1 : lim
        if (i < stop) {
          i = fast.run(address + i, address + stop) - address
          const n = fast.accepted.value
          if (n > 0) {
            this.urls?.fastLines(fast, n, this.lines + 1)
            this.items += n
            this.lines += n
            this.lineStart = this.base + i
            this.lineChars = 0
            if (i >= end) break
          }
        }
      }
      i = this.parse(b, fast.words, i, end)
    }

    if (utf8.nextBad < end) this.noteUtf8(b, utf8.nextBad)
    if (this.urls !== undefined && this.readingUrl()) this.urlRead(b, end)
    if (cut < end) {
      // Wanted even when the line has a JSON error: one at this very byte loses to the UTF-8 error.
      const column = this.problems.length < MAX_PROBLEMS ? this.column(b, cut) : 0
      utf8.startTail(b, cut, end, this.base + cut, column)
    }
    if (this.lineStart < this.base + end && this.wantColumns()) {
      const start = this.lineStart - this.base
      this.lineChars =
        start >= 0 ? countChars(b, start, end) : this.lineChars + countChars(b, 0, end)
    }
    this.base += end
  }

  finish(): NdjsonCheck {
    this.utf8.endOfFile()
    if (this.lineStart < this.base) this.endLine(null, 0)
    const check: NdjsonCheck = {
      items: this.items,
      lines: this.lines,
      badLines: this.badLines,
      problems: this.problems.slice()
    }
    // Only a file refused anyway gets a cause: what is accepted stays the lines' decision.
    const cause = this.badLines > 0 ? this.fileCause() : undefined
    if (cause !== undefined) check.cause = cause
    return check
  }

  private fileCause(): FileCause | undefined {
    return fileCause({
      firstBytes: this.firstBytes.subarray(0, this.firstLength),
      lastNonBlank: this.lastNonBlank,
      items: this.items,
      firstItemComplete: this.firstItemComplete,
      openObjectLine: this.openObjectLine,
      closerLine: this.closerLine,
      secondValueAt: this.secondValueAt
    })
  }

  /** Copies what `chunk`, which starts at `base`, holds of the file's first bytes. */
  private keepFirstBytes(chunk: Uint8Array): void {
    const n = Math.min(chunk.length, FIRST_BYTES - this.base)
    this.firstBytes.set(chunk.subarray(0, n), this.base)
    this.firstLength = this.base + n
  }

  /** From the end of the chunk back: a few bytes at most, as files rarely end in long blanks. */
  private noteLastNonBlank(chunk: Uint8Array): void {
    for (let i = chunk.length - 1; i >= 0; i--) {
      const c = chunk[i]
      if (!isJsonSpace(c)) {
        this.lastNonBlank = c
        return
      }
    }
  }

  /** Columns and messages are only worked out while there is room to report them. */
  private wantColumns(): boolean {
    if (this.problems.length >= MAX_PROBLEMS || this.bom) return false
    return this.json.at < 0 && this.utf8.lineAt < 0
  }

  private column(b: Uint8Array, i: number): number {
    const start = this.lineStart - this.base
    return (start >= 0 ? countChars(b, start, i) : this.lineChars + countChars(b, 0, i)) + 1
  }

  private matchBom(b: Uint8Array): void {
    for (let i = 0; this.base + i < BOM.length && i < b.length; i++) {
      if (this.bomMatched !== this.base + i || b[i] !== BOM[this.bomMatched]) return
      this.bomMatched++
    }
    if (this.bomMatched === BOM.length) this.bom = true
  }

  /** Takes the pending ill-formed UTF-8 at chunk index `at`, which is on the current line. */
  private noteUtf8(b: Uint8Array, at: number): void {
    const utf8 = this.utf8
    if (utf8.lineAt < 0) {
      utf8.found(this.base + at, this.problems.length < MAX_PROBLEMS ? this.column(b, at) : 0)
    }
    utf8.takeBad()
  }

  protected noteError(b: Uint8Array | null, i: number, kind: number, c = 0): void {
    const json = this.json
    json.set(this.base + i, kind, c, this.afterTopValue())
    // A line that starts with '}': how pretty-printed objects end (see FileShape).
    if (this.blankSoFar() && c === 0x7d) this.closerLine = true
    if (this.problems.length < MAX_PROBLEMS) {
      json.column = b === null ? this.lineChars + 1 : this.column(b, i)
      if (b !== null) json.startName(b, i, this.valueMayStart(), this.afterMinus())
    }
  }

  protected endLine(b: Buffer | null, i: number): number {
    const next = b === null ? this.base : this.base + i + 1
    if (this.blankSoFar()) {
      this.lines++
      this.resetLine(next)
      return i + 1
    }
    const error = this.errorAtEnd()
    if (error >= 0) this.noteError(b, i, error)
    if (b !== null && this.utf8.nextBad < i) this.noteUtf8(b, this.utf8.nextBad)
    const json = this.json
    if (this.items === 0) this.firstItemComplete = json.at < 0
    if (this.lines === 0 && json.at >= 0 && json.kind === J_UNEXPECTED && json.afterEnd) {
      this.secondValueAt = json.at
    }
    this.items++
    this.lines++
    if (this.lineIsBad()) {
      if (this.badLines === 0 && this.endsInsideObject()) this.openObjectLine = this.lines
      this.badLines++
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(this.problem())
    } else {
      this.urls?.line(this.lines)
    }
    this.resetLine(next)
    return i + 1
  }

  /** Takes the url's content up to b[to]: what of it is in this chunk. */
  protected urlRead(b: Buffer, to: number): void {
    const from = this.stringStart + 1 - this.base
    this.urls?.take(b, Math.max(from, 0), to, from >= 0)
  }

  /** The line's JSON stops at its end, inside the object it opens. */
  private endsInsideObject(): boolean {
    return this.json.at >= 0 && this.json.kind === J_END_OF_LINE && this.top === T_OBJECT
  }

  private lineIsBad(): boolean {
    return this.bom || this.utf8.lineAt >= 0 || this.json.at >= 0 || !this.valueOk()
  }

  private problem(): LineProblem {
    return describeProblem({
      line: this.lines,
      bom: this.bom,
      utf8At: this.utf8.lineAt,
      utf8Column: this.utf8.lineColumn,
      json: this.json,
      top: this.top,
      url: this.url,
      kind: this.kind
    })
  }

  private resetLine(next: number): void {
    this.lineStart = next
    this.lineChars = 0
    this.startLine()
    this.bom = false
    this.json.clear()
    this.utf8.lineAt = -1
  }
}
