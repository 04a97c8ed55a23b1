import { isUtf8 } from 'node:buffer'
import { fastPath, SCRATCH_BYTES, type FastPath } from './fast-path.js'
import { fileCause, FIRST_BYTES, isJsonSpace, type FileCause } from './file-cause.js'

export type { FileCause } from './file-cause.js'

/**
 * Streaming NDJSON line checker: every non-blank line must be a strict JSON object whose `url` is
 * a string, neither empty nor only whitespace, and whose `kind`, when present, is a string. It is
 * a resumable byte-level state machine, so chunks may split lines and characters anywhere and
 * memory stays constant however long a line is. This machine is the one grammar of a line. Runs
 * of plain lines (string members only, no escapes, a "url" neither empty nor starting with a
 * space) take a fast path in WebAssembly (fast-path.ts), which accepts only lines this machine
 * accepts; any other line, or one cut by the end of a chunk, goes through the general machine,
 * which also explains what is wrong. On the way it gathers a few facts about the whole file, from
 * which file-cause.ts names the cause of a file in the wrong format.
 */

export interface LineProblem {
  /** 1-based line number. */
  line: number
  /** 1-based column, counted in characters (Unicode code points), when the problem has a place. */
  column?: number
  message: string
}

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

/** Deeper nesting is refused, so the container stack has a fixed size. */
export const MAX_DEPTH = 1000

// Parser states.
const S_LINE = 0 // only whitespace so far on this line
const S_VALUE = 1 // a value must come next
const S_ARRAY_FIRST = 2 // after '[': a value or ']'
const S_OBJECT_FIRST = 3 // after '{': a key or '}'
const S_KEY = 4 // after ',' in an object: a key
const S_COLON = 5
const S_AFTER = 6 // after a value: ',' or a closing bracket, or at depth 0 the end of the line
const S_STRING = 7
const S_ESCAPE = 8
const S_HEX = 9 // inside \uXXXX
const S_MINUS = 10 // number states, named after what was just read
const S_ZERO = 11
const S_INT = 12
const S_DOT = 13
const S_FRACTION = 14
const S_E = 15
const S_EXP_SIGN = 16
const S_EXPONENT = 17
const S_LITERAL = 18
const S_SKIP = 19 // the line already has a problem: skip to its end

// Value types; also what `url` and `kind` were found to be (0 = absent).
const T_NONE = 0
const T_OBJECT = 1
const T_ARRAY = 2
const T_STRING = 3
const T_NUMBER = 4
const T_TRUE = 5
const T_FALSE = 6
const T_NULL = 7
const T_EMPTY_STRING = 8
const T_BLANK_STRING = 9
const TYPE_NAMES = [
  'nothing',
  'an object',
  'an array',
  'a string',
  'a number',
  'true',
  'false',
  'null',
  'an empty string',
  'a string of only whitespace'
]

// What the string being read is.
const R_VALUE = 0
const R_KEY = 1 // a key below the top level
const R_TOP_KEY = 2 // a key of the line's object: matched against "url" and "kind"
const R_URL = 3 // the value of the line's "url"

const M_NONE = 0
const M_URL = 1
const M_KIND = 2
const URL_CODES = [0x75, 0x72, 0x6c]
const KIND_CODES = [0x6b, 0x69, 0x6e, 0x64]

// Kinds of JSON syntax error.
const J_UNEXPECTED = 0
const J_END_OF_LINE = 1
const J_END_IN_STRING = 2
const J_CONTROL = 3
const J_ESCAPE = 4
const J_HEX = 5
const J_DEPTH = 6

const CONTAINER_OBJECT = 1
const CONTAINER_ARRAY = 2

const LITERALS = new TextEncoder().encode('truefalsenull')
/** Words that are not JSON but that Python's json.dumps writes for floats: NaN, Infinity. */
const WORDS = new TextEncoder().encode('NaNInfinity')

/** 1 for bytes that may appear unescaped in a JSON string with nothing to check (UTF-8 aside). */
const PLAIN = new Uint8Array(256).fill(1)
PLAIN.fill(0, 0, 0x20)
PLAIN[0x22] = 0
PLAIN[0x5c] = 0

const HEX_VALUE = new Int8Array(256).fill(-1)
for (let d = 0; d < 10; d++) HEX_VALUE[0x30 + d] = d
for (let d = 0; d < 6; d++) HEX_VALUE[0x41 + d] = HEX_VALUE[0x61 + d] = 10 + d

/** What each one-character escape stands for (0: not a valid escape; `u` is handled apart). */
const ESCAPED = new Uint8Array(256)
ESCAPED[0x22] = 0x22
ESCAPED[0x5c] = 0x5c
ESCAPED[0x2f] = 0x2f
ESCAPED[0x62] = 0x08
ESCAPED[0x66] = 0x0c
ESCAPED[0x6e] = 0x0a
ESCAPED[0x72] = 0x0d
ESCAPED[0x74] = 0x09

const BOM = [0xef, 0xbb, 0xbf]

const BOM_MESSAGE = 'starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM'

/**
 * Index of the first byte in [i, end) that is '"', '\\' or a control byte, or end. Scans four
 * bytes per step through `words`, an Int32Array over the same bytes: for the long strings of
 * lines the fast path leaves to the general machine, such as a data URL cut by the end of a chunk.
 */
function skipPlain(b: Uint8Array, words: Int32Array, i: number, end: number): number {
  while ((i & 3) !== 0) {
    if (i >= end || PLAIN[b[i]] === 0) return i
    i++
  }
  let k = i >> 2
  const kEnd = Math.min(words.length, end >> 2)
  while (k < kEnd) {
    const x = words[k]
    // Classic "has a zero byte" / "has a byte below n" tests; exact as a yes/no for the word.
    // The quote, which ends most strings, is tested on its own first: measurably faster.
    const quote = x ^ 0x22222222
    if (((quote - 0x01010101) & ~quote & 0x80808080) !== 0) break
    const backslash = x ^ 0x5c5c5c5c
    const other = ((backslash - 0x01010101) & ~backslash) | ((x - 0x20202020) & ~x)
    if ((other & 0x80808080) !== 0) break
    k++
  }
  i = k << 2
  while (i < end && PLAIN[b[i]] === 1) i++
  return i
}

/** Number of characters (bytes that are not UTF-8 continuation bytes) in b[from, to). */
function countChars(b: Uint8Array, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if ((b[i] & 0xc0) !== 0x80) n++
  return n
}

/** Bytes after the lead byte c in a well-formed sequence (0: not a lead byte). */
function sequenceTail(c: number): number {
  if (c >= 0xc2 && c <= 0xdf) return 1
  if (c >= 0xe0 && c <= 0xef) return 2
  if (c >= 0xf0 && c <= 0xf4) return 3
  return 0
}

/** Whether c may be the second byte after `lead`: excludes overlongs, surrogates, > U+10FFFF. */
function secondByteOk(lead: number, c: number): boolean {
  if (lead === 0xe0) return c >= 0xa0 && c <= 0xbf
  if (lead === 0xed) return c >= 0x80 && c <= 0x9f
  if (lead === 0xf0) return c >= 0x90 && c <= 0xbf
  if (lead === 0xf4) return c >= 0x80 && c <= 0x8f
  return (c & 0xc0) === 0x80
}

/** Index of the first ill-formed UTF-8 sequence in b[i, end), or -1. i must start a sequence. */
function firstBadUtf8(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]
    if (c < 0x80) {
      i++
      continue
    }
    const n = sequenceTail(c)
    if (n === 0 || i + n >= end || !secondByteOk(c, b[i + 1])) return i
    for (let k = 2; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i
    i += n + 1
  }
  return -1
}

function quoteChar(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  if (cp === 0x22) return `'"'`
  if (cp >= 0x21 && cp <= 0x7e) return `"${String.fromCharCode(cp)}"`
  // Invisible and blank characters are named by code point only: quoting them shows nothing.
  if (cp < 0x80 || /[\p{C}\p{Z}]/u.test(String.fromCodePoint(cp))) return hex
  return `"${String.fromCodePoint(cp)}" (${hex})`
}

export class NdjsonChecker {
  /** `fast`: the SIMD path by default; tests pass the scalar one to check the JS path alone. */
  constructor(private readonly fast: FastPath = fastPath()) {}

  private items = 0
  private lines = 0
  private badLines = 0
  private readonly problems: LineProblem[] = []

  /** Absolute offset of the current chunk's first byte. */
  private base = 0
  private bomMatched = 0

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
  private state = S_LINE
  private depth = 0
  private readonly stack = new Uint8Array(MAX_DEPTH)
  private top = T_NONE
  private member = M_NONE
  private url = T_NONE
  private kind = T_NONE
  private role = R_VALUE
  private stringStart = 0
  /**
   * The url being read is, so far, only whitespace, so refused as an empty one is: JSON's own
   * whitespace (isJsonSpace), raw or escaped. Other Unicode spaces (U+00A0...) are characters a
   * url may hold.
   */
  private urlBlank = false
  private keyMask = 0
  private keyLength = 0
  private hexLeft = 0
  private hex = 0
  private literalAt = 0
  private literalEnd = 0
  private bom = false
  /** First JSON syntax error on the line (absolute offset, -1 if none). */
  private jsonAt = -1
  private jsonKind = J_UNEXPECTED
  private jsonChar = 0
  private jsonColumn = 0
  /** Continuation bytes still to read to quote the non-ASCII character of a J_UNEXPECTED. */
  private jsonCharLeft = 0
  /** Next byte of WORDS to match after the 'N' or 'I' of a J_UNEXPECTED (0: none pending). */
  private wordAt = 0
  private wordEnd = 0
  /** The 'I' came after a '-'. */
  private wordMinus = false
  /** The J_UNEXPECTED is the start of a whole NaN, Infinity or -Infinity. */
  private named = false
  private afterEnd = false
  /** First ill-formed UTF-8 on the line (absolute offset, -1 if none). */
  private utf8At = -1
  private utf8Column = 0

  // A UTF-8 sequence cut by the end of the previous chunk.
  private tailLead = 0
  private tailHave = 0
  private tailNeed = 0
  private tailAt = 0
  private tailColumn = 0

  // Ill-formed UTF-8 in the chunk being pushed: at most one entry per line.
  private bad: number[] = []
  private badIndex = 0
  private nextBad = Infinity

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
    if (this.jsonCharLeft > 0) this.captureChar(b, 0, end)
    if (this.wordAt > 0) this.matchWord(b, 0, end)
    if (this.base < BOM.length) this.matchBom(b)

    const from = this.tailHave > 0 ? this.continueTail(b, 0, end) : 0
    const cut = this.findCut(b, from, end)
    this.findBadUtf8(b, from, cut)

    const lim = b.lastIndexOf(0x0a) + 1
    const address = b.byteOffset
    let i = 0
    while (i < end) {
      if (this.state === S_LINE) {
        // Whole lines only, and none with ill-formed UTF-8: the fast path does not look for it.
        const stop = this.nextBad < lim ? b.lastIndexOf(0x0a, this.nextBad) + 1 : lim
        if (i < stop) {
          i = fast.run(address + i, address + stop) - address
          const n = fast.accepted.value
          if (n > 0) {
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

    if (this.nextBad < end) this.noteUtf8(b, this.nextBad)
    if (cut < end) this.startTail(b, cut, end)
    if (this.lineStart < this.base + end && this.wantColumns()) {
      const start = this.lineStart - this.base
      this.lineChars =
        start >= 0 ? countChars(b, start, end) : this.lineChars + countChars(b, 0, end)
    }
    this.base += end
  }

  finish(): NdjsonCheck {
    if (this.tailNeed > 0) {
      // The file ends inside a character.
      this.tailNeed = 0
      if (this.utf8At < 0) {
        this.utf8At = this.tailAt
        this.utf8Column = this.tailColumn
      }
    }
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
    return this.problems.length < MAX_PROBLEMS && this.jsonAt < 0 && this.utf8At < 0 && !this.bom
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

  /** Checks the bytes completing a sequence cut by the previous chunk; returns where they end. */
  private continueTail(b: Uint8Array, i: number, end: number): number {
    while (this.tailHave < this.tailNeed && i < end) {
      const c = b[i]
      const ok = this.tailHave === 1 ? secondByteOk(this.tailLead, c) : (c & 0xc0) === 0x80
      if (!ok) {
        this.tailNeed = 0
        this.tailHave = 0
        if (this.utf8At < 0) {
          this.utf8At = this.tailAt
          this.utf8Column = this.tailColumn
        }
        return i
      }
      this.tailHave++
      i++
    }
    if (this.tailHave === this.tailNeed) this.tailHave = this.tailNeed = 0
    return i
  }

  /** Start of a sequence cut by the chunk end (validated with the next chunk), or end. */
  private findCut(b: Uint8Array, from: number, end: number): number {
    let t = end - 1
    while (t > from && end - t <= 3 && (b[t] & 0xc0) === 0x80) t--
    if (t < from) return end
    const n = sequenceTail(b[t])
    return n > 0 && t + n >= end ? t : end
  }

  private startTail(b: Uint8Array, cut: number, end: number): void {
    this.tailLead = b[cut]
    this.tailHave = 1
    this.tailNeed = sequenceTail(this.tailLead) + 1
    this.tailAt = this.base + cut
    // Wanted even when the line has a JSON error: one at this very byte loses to the UTF-8 error.
    this.tailColumn = this.problems.length < MAX_PROBLEMS ? this.column(b, cut) : 0
    this.continueTail(b, cut + 1, end)
  }

  /** Records the first ill-formed sequence of each line in b[from, to); isUtf8 says if any. */
  private findBadUtf8(b: Buffer, from: number, to: number): void {
    this.bad.length = 0
    this.badIndex = 0
    this.nextBad = Infinity
    if (from >= to || isUtf8(b.subarray(from, to))) return
    let i = from
    while (i < to) {
      const at = firstBadUtf8(b, i, to)
      if (at < 0) break
      this.bad.push(at)
      const nl = b.indexOf(0x0a, at)
      if (nl < 0 || nl >= to) break
      i = nl + 1
    }
    if (this.bad.length > 0) this.nextBad = this.bad[0]
  }

  /** Takes the pending ill-formed UTF-8 at chunk index `at`, which is on the current line. */
  private noteUtf8(b: Uint8Array, at: number): void {
    if (this.utf8At < 0) {
      this.utf8At = this.base + at
      if (this.problems.length < MAX_PROBLEMS) this.utf8Column = this.column(b, at)
    }
    this.badIndex++
    this.nextBad = this.badIndex < this.bad.length ? this.bad[this.badIndex] : Infinity
  }

  /** Reads the continuation bytes of the character quoted by a J_UNEXPECTED error. */
  private captureChar(b: Uint8Array, i: number, end: number): void {
    while (this.jsonCharLeft > 0 && i < end) {
      const c = b[i++]
      if ((c & 0xc0) !== 0x80) {
        // Ill-formed: the UTF-8 error at the same place is the one reported.
        this.jsonCharLeft = 0
        return
      }
      this.jsonChar = (this.jsonChar << 6) | (c & 0x3f)
      this.jsonCharLeft--
    }
  }

  /**
   * At the 'N' or 'I' (c) of a J_UNEXPECTED at chunk index i: starts matching NaN, Infinity or
   * -Infinity where a value belongs, to name the word in the message.
   */
  private startWord(b: Uint8Array, i: number, c: number): void {
    const state = this.state
    const valueStart = state === S_LINE || state === S_VALUE || state === S_ARRAY_FIRST
    if (c === 0x4e && valueStart) {
      this.wordAt = 1
      this.wordEnd = 3
    } else if (c === 0x49 && (valueStart || state === S_MINUS)) {
      this.wordAt = 4
      this.wordEnd = WORDS.length
    } else {
      return
    }
    this.wordMinus = state === S_MINUS
    this.matchWord(b, i + 1, b.length)
  }

  /** Reads on the word startWord() began, which may go on in the next chunk. */
  private matchWord(b: Uint8Array, i: number, end: number): void {
    while (this.wordAt < this.wordEnd && i < end) {
      if (b[i++] !== WORDS[this.wordAt]) {
        this.wordAt = 0
        return
      }
      this.wordAt++
    }
    if (this.wordAt === this.wordEnd) {
      this.named = true
      this.wordAt = 0
    }
  }

  /** Records a JSON syntax error at chunk index i and skips the rest of the line. */
  private fail(b: Uint8Array | null, i: number, kind: number, c = 0): number {
    this.jsonAt = this.base + i
    this.jsonKind = kind
    this.jsonChar = c
    this.afterEnd = this.state === S_AFTER && this.depth === 0
    // A line that starts with '}': how pretty-printed objects end (see FileShape).
    if (this.state === S_LINE && c === 0x7d) this.closerLine = true
    if (this.problems.length < MAX_PROBLEMS) {
      this.jsonColumn = b === null ? this.lineChars + 1 : this.column(b, i)
      if (b !== null && c >= 0x80) {
        const n = sequenceTail(c)
        this.jsonChar = c & (0x3f >> n)
        this.jsonCharLeft = n
        this.captureChar(b, i + 1, b.length)
      } else if (b !== null && kind === J_UNEXPECTED) {
        this.startWord(b, i, c)
      }
    }
    this.state = S_SKIP
    return i
  }

  /**
   * The general machine: runs from b[i] to the end of the line (returning the index after its
   * '\n') or of the chunk (returning end).
   */
  private parse(b: Buffer, words: Int32Array, i: number, end: number): number {
    while (i < end) {
      const c = b[i]
      if (c === 0x0a) return this.endLine(b, i)
      if ((c === 0x20 || c === 0x09 || c === 0x0d) && this.state < S_STRING) {
        i++
        continue
      }
      switch (this.state) {
        case S_SKIP: {
          const nl = b.indexOf(0x0a, i)
          i = nl < 0 ? end : nl
          break
        }
        case S_LINE:
        case S_VALUE:
          i = this.beginValue(b, i, c)
          break
        case S_ARRAY_FIRST:
          i = c === 0x5d ? this.close(b, i, CONTAINER_ARRAY, c) : this.beginValue(b, i, c)
          break
        case S_OBJECT_FIRST:
          i = c === 0x7d ? this.close(b, i, CONTAINER_OBJECT, c) : this.beginKey(b, i, c)
          break
        case S_KEY:
          i = this.beginKey(b, i, c)
          break
        case S_COLON:
          if (c === 0x3a) {
            this.state = S_VALUE
            i++
          } else {
            i = this.fail(b, i, J_UNEXPECTED, c)
          }
          break
        case S_AFTER:
          i = this.afterValue(b, i, c)
          break
        case S_STRING:
          i = this.stringContent(b, words, i, end)
          break
        case S_ESCAPE:
          i = this.escape(b, i, c)
          break
        case S_HEX:
          i = this.hexDigit(b, i, c)
          break
        case S_LITERAL:
          if (c !== LITERALS[this.literalAt]) {
            i = this.fail(b, i, J_UNEXPECTED, c)
          } else {
            if (++this.literalAt === this.literalEnd) this.state = S_AFTER
            i++
          }
          break
        default:
          i = this.number(b, i, c)
      }
    }
    return end
  }

  private escape(b: Uint8Array, i: number, c: number): number {
    if (c === 0x75) {
      this.state = S_HEX
      this.hexLeft = 4
      this.hex = 0
      return i + 1
    }
    const decoded = ESCAPED[c]
    if (decoded === 0) return this.fail(b, i, J_ESCAPE, c)
    if (this.role === R_TOP_KEY) this.matchKey(decoded)
    else if (this.urlBlank && !isJsonSpace(decoded)) this.urlBlank = false
    this.state = S_STRING
    return i + 1
  }

  private hexDigit(b: Uint8Array, i: number, c: number): number {
    const d = HEX_VALUE[c]
    if (d < 0) return this.fail(b, i, J_HEX, c)
    this.hex = (this.hex << 4) | d
    if (--this.hexLeft === 0) {
      if (this.role === R_TOP_KEY) this.matchKey(this.hex)
      else if (this.urlBlank && !isJsonSpace(this.hex)) this.urlBlank = false
      this.state = S_STRING
    }
    return i + 1
  }

  private number(b: Uint8Array, i: number, c: number): number {
    const digit = c >= 0x30 && c <= 0x39
    switch (this.state) {
      case S_MINUS:
        if (!digit) return this.fail(b, i, J_UNEXPECTED, c)
        this.state = c === 0x30 ? S_ZERO : S_INT
        return i + 1
      case S_ZERO:
      case S_INT:
        if (digit && this.state === S_INT) return i + 1
        if (c === 0x2e) this.state = S_DOT
        else if (c === 0x65 || c === 0x45) this.state = S_E
        else return this.endNumber(i)
        return i + 1
      case S_DOT:
        if (!digit) return this.fail(b, i, J_UNEXPECTED, c)
        this.state = S_FRACTION
        return i + 1
      case S_FRACTION:
        if (digit) return i + 1
        if (c === 0x65 || c === 0x45) {
          this.state = S_E
          return i + 1
        }
        return this.endNumber(i)
      case S_E:
        if (c === 0x2b || c === 0x2d) {
          this.state = S_EXP_SIGN
          return i + 1
        }
        if (!digit) return this.fail(b, i, J_UNEXPECTED, c)
        this.state = S_EXPONENT
        return i + 1
      case S_EXP_SIGN:
        if (!digit) return this.fail(b, i, J_UNEXPECTED, c)
        this.state = S_EXPONENT
        return i + 1
      default: // S_EXPONENT
        if (digit) return i + 1
        return this.endNumber(i)
    }
  }

  /** A complete number ended at b[i], which is read again as what follows a value. */
  private endNumber(i: number): number {
    this.state = S_AFTER
    return i
  }

  private beginValue(b: Uint8Array, i: number, c: number): number {
    let type: number
    let state: number
    switch (c) {
      case 0x7b:
        type = T_OBJECT
        state = S_OBJECT_FIRST
        break
      case 0x5b:
        type = T_ARRAY
        state = S_ARRAY_FIRST
        break
      case 0x22:
        type = T_STRING
        state = S_STRING
        break
      case 0x74:
      case 0x66:
      case 0x6e:
        type = c === 0x74 ? T_TRUE : c === 0x66 ? T_FALSE : T_NULL
        state = S_LITERAL
        this.literalAt = c === 0x74 ? 1 : c === 0x66 ? 5 : 10
        this.literalEnd = c === 0x74 ? 4 : c === 0x66 ? 9 : 13
        break
      case 0x2d:
        type = T_NUMBER
        state = S_MINUS
        break
      case 0x30:
        type = T_NUMBER
        state = S_ZERO
        break
      default:
        if (c < 0x31 || c > 0x39) return this.fail(b, i, J_UNEXPECTED, c)
        type = T_NUMBER
        state = S_INT
    }
    if (this.depth === 0) {
      this.top = type
    } else if (this.depth === 1 && this.member !== M_NONE) {
      if (this.member === M_KIND) this.kind = type
      else this.url = type
    }
    if (type === T_STRING) {
      this.role = this.depth === 1 && this.member === M_URL ? R_URL : R_VALUE
      this.urlBlank = this.role === R_URL
      this.stringStart = this.base + i
    } else if (type === T_OBJECT || type === T_ARRAY) {
      if (this.depth === MAX_DEPTH) return this.fail(b, i, J_DEPTH)
      this.stack[this.depth++] = type === T_OBJECT ? CONTAINER_OBJECT : CONTAINER_ARRAY
    }
    this.state = state
    return i + 1
  }

  private beginKey(b: Uint8Array, i: number, c: number): number {
    if (c !== 0x22) return this.fail(b, i, J_UNEXPECTED, c)
    if (this.depth === 1) {
      this.role = R_TOP_KEY
      this.keyMask = 3
      this.keyLength = 0
    } else {
      this.role = R_KEY
    }
    this.state = S_STRING
    return i + 1
  }

  private close(b: Uint8Array, i: number, container: number, c: number): number {
    if (this.stack[this.depth - 1] !== container) return this.fail(b, i, J_UNEXPECTED, c)
    this.depth--
    this.state = S_AFTER
    return i + 1
  }

  private afterValue(b: Uint8Array, i: number, c: number): number {
    if (this.depth === 0) return this.fail(b, i, J_UNEXPECTED, c)
    if (c === 0x2c) {
      this.state = this.stack[this.depth - 1] === CONTAINER_OBJECT ? S_KEY : S_VALUE
      return i + 1
    }
    if (c === 0x7d) return this.close(b, i, CONTAINER_OBJECT, c)
    if (c === 0x5d) return this.close(b, i, CONTAINER_ARRAY, c)
    return this.fail(b, i, J_UNEXPECTED, c)
  }

  /** Feeds one decoded UTF-16 code unit of a top-level key to the "url"/"kind" matcher. */
  private matchKey(unit: number): void {
    const n = this.keyLength++
    let mask = 0
    if ((this.keyMask & M_URL) !== 0 && n < 3 && unit === URL_CODES[n]) mask = M_URL
    if ((this.keyMask & M_KIND) !== 0 && n < 4 && unit === KIND_CODES[n]) mask |= M_KIND
    this.keyMask = mask
  }

  private stringContent(b: Buffer, words: Int32Array, i: number, end: number): number {
    if (this.role === R_TOP_KEY) {
      // Key bytes go one by one through the matcher until it can no longer match.
      while (i < end && this.keyMask !== 0 && PLAIN[b[i]] === 1) this.matchKey(b[i++])
    } else if (this.urlBlank) {
      // A url that is so far only whitespace: its spaces one by one, up to any other character.
      while (i < end && b[i] === 0x20) i++
      if (i < end && PLAIN[b[i]] === 1) this.urlBlank = false
    }
    i = skipPlain(b, words, i, end)
    if (i >= end) return end
    const c = b[i]
    if (c === 0x22) {
      const role = this.role
      if (role === R_TOP_KEY) {
        const mask = this.keyMask
        const n = this.keyLength
        const url = (mask & M_URL) !== 0 && n === 3
        this.member = url ? M_URL : (mask & M_KIND) !== 0 && n === 4 ? M_KIND : M_NONE
      } else if (role === R_URL) {
        const empty = this.base + i === this.stringStart + 1
        this.url = !this.urlBlank ? T_STRING : empty ? T_EMPTY_STRING : T_BLANK_STRING
        this.urlBlank = false
      }
      this.state = role === R_KEY || role === R_TOP_KEY ? S_COLON : S_AFTER
      return i + 1
    }
    if (c === 0x5c) {
      this.state = S_ESCAPE
      return i + 1
    }
    // A control byte; '\n' is left for the caller, which ends the line.
    return c === 0x0a ? i : this.fail(b, i, J_CONTROL, c)
  }

  /** Ends the current line at chunk index i ('\n'), or at the end of the input when b is null. */
  private endLine(b: Buffer | null, i: number): number {
    const state = this.state
    if (state === S_LINE) {
      this.lines++
      this.resetLine(b === null ? this.base : this.base + i + 1)
      return i + 1
    }
    if (state !== S_SKIP) {
      const complete =
        this.depth === 0 &&
        (state === S_AFTER ||
          state === S_ZERO ||
          state === S_INT ||
          state === S_FRACTION ||
          state === S_EXPONENT)
      if (!complete) {
        const inString = state === S_STRING || state === S_ESCAPE || state === S_HEX
        this.fail(b, i, inString ? J_END_IN_STRING : J_END_OF_LINE)
      }
    }
    if (b !== null && this.nextBad < i) this.noteUtf8(b, this.nextBad)
    if (this.items === 0) this.firstItemComplete = this.jsonAt < 0
    if (this.lines === 0 && this.jsonAt >= 0 && this.jsonKind === J_UNEXPECTED && this.afterEnd) {
      this.secondValueAt = this.jsonAt
    }
    this.items++
    this.lines++
    if (this.lineIsBad()) {
      if (this.badLines === 0 && this.endsInsideObject()) this.openObjectLine = this.lines
      this.badLines++
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(this.describeProblem())
    }
    this.resetLine(b === null ? this.base : this.base + i + 1)
    return i + 1
  }

  /** The line's JSON stops at its end, inside the object it opens. */
  private endsInsideObject(): boolean {
    return this.jsonAt >= 0 && this.jsonKind === J_END_OF_LINE && this.top === T_OBJECT
  }

  private lineIsBad(): boolean {
    if (this.bom || this.utf8At >= 0 || this.jsonAt >= 0 || this.top !== T_OBJECT) return true
    return this.url !== T_STRING || (this.kind !== T_NONE && this.kind !== T_STRING)
  }

  private describeProblem(): LineProblem {
    const line = this.lines
    if (this.bom) return { line, column: 1, message: BOM_MESSAGE }
    if (this.utf8At >= 0 && (this.jsonAt < 0 || this.utf8At <= this.jsonAt)) {
      const column = this.utf8Column
      return { line, column, message: `invalid UTF-8 at column ${column}` }
    }
    if (this.jsonAt >= 0) {
      // A named -Infinity starts at its '-', the character before the 'I'.
      const column = this.named && this.wordMinus ? this.jsonColumn - 1 : this.jsonColumn
      return { line, column, message: `not valid JSON: ${this.jsonError(column)}` }
    }
    if (this.top !== T_OBJECT) {
      return { line, message: `expected a JSON object, found ${TYPE_NAMES[this.top]}` }
    }
    if (this.url === T_NONE) return { line, message: '"url" is missing' }
    if (this.url !== T_STRING) {
      return { line, message: `"url" must be a non-empty string, found ${TYPE_NAMES[this.url]}` }
    }
    return { line, message: `"kind" must be a string, found ${TYPE_NAMES[this.kind]}` }
  }

  private jsonError(column: number): string {
    const at = `at column ${column}`
    const c = this.jsonChar
    switch (this.jsonKind) {
      case J_END_OF_LINE:
        return `unexpected end of line ${at}`
      case J_END_IN_STRING:
        return `unterminated string ${at}`
      case J_CONTROL:
        return `unescaped control character ${quoteChar(c)} in a string ${at}`
      case J_ESCAPE:
        return c >= 0x21 && c <= 0x7e
          ? `invalid escape "\\${String.fromCharCode(c)}" ${at}`
          : `invalid escape: "\\" followed by ${quoteChar(c)} ${at}`
      case J_HEX:
        return `invalid \\u escape: ${quoteChar(c)} is not a hex digit ${at}`
      case J_DEPTH:
        return `nested more than ${MAX_DEPTH} levels deep ${at}`
      default:
        if (this.named) {
          const word = c === 0x4e ? 'NaN' : this.wordMinus ? '-Infinity' : 'Infinity'
          return `${word} ${at}; JSON has no such value (Python's json.dumps writes it): write null instead`
        }
        if (c === 0xfeff) {
          // Line 1's own mark is BOM_MESSAGE; one further on comes from files joined together.
          return `byte-order mark (U+FEFF) ${at}, likely from joining files that each start with one (e.g. with cat); save them as UTF-8 without BOM before joining, or delete it`
        }
        if (this.afterEnd) {
          const what = this.top === T_OBJECT ? 'object' : 'value'
          return `unexpected ${quoteChar(c)} after the end of the ${what} ${at}`
        }
        return `unexpected ${quoteChar(c)} ${at}`
    }
  }

  private resetLine(next: number): void {
    this.lineStart = next
    this.lineChars = 0
    this.state = S_LINE
    this.depth = 0
    this.top = T_NONE
    this.member = M_NONE
    this.url = T_NONE
    this.kind = T_NONE
    this.bom = false
    this.jsonAt = -1
    this.jsonCharLeft = 0
    this.wordAt = 0
    this.named = false
    this.utf8At = -1
  }
}
