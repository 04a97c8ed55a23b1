/**
 * What is wrong with a bad line, in words: which of its problems is reported, how each is worded,
 * and what a JSON syntax error's message names beyond the byte it is at (the whole character,
 * or the NaN or Infinity it starts). The tests pin these messages byte for byte.
 */

import {
  J_CONTROL,
  J_DEPTH,
  J_END_IN_STRING,
  J_END_OF_LINE,
  J_ESCAPE,
  J_HEX,
  J_UNEXPECTED,
  MAX_DEPTH,
  T_NONE,
  T_OBJECT,
  T_STRING
} from './line-machine.js'
import { sequenceTail } from './utf8.js'

export interface LineProblem {
  /** 1-based line number. */
  line: number
  /** 1-based column, counted in characters (Unicode code points), when the problem has a place. */
  column?: number
  message: string
}

/** Indexed by the value types (T_*) of line-machine.ts. */
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

/** Words that are not JSON but that Python's json.dumps writes for floats: NaN, Infinity. */
const WORDS = new TextEncoder().encode('NaNInfinity')

const BOM_MESSAGE = 'starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM'

function quoteChar(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  if (cp === 0x22) return `'"'`
  if (cp >= 0x21 && cp <= 0x7e) return `"${String.fromCharCode(cp)}"`
  // Invisible and blank characters are named by code point only: quoting them shows nothing.
  if (cp < 0x80 || /[\p{C}\p{Z}]/u.test(String.fromCodePoint(cp))) return hex
  return `"${String.fromCodePoint(cp)}" (${hex})`
}

/** The first JSON syntax error on the current line, and what its message names. */
export class JsonError {
  /** Absolute offset (-1: none). */
  at = -1
  kind = J_UNEXPECTED
  column = 0
  /** The error is after the end of the line's complete value (depth 0). */
  afterEnd = false
  /** The byte at the error; for a non-ASCII one, once read whole, its code point. */
  private char = 0
  /** Continuation bytes still to read to quote the non-ASCII character of the error. */
  private charLeft = 0
  /** Next byte of WORDS to match after the 'N' or 'I' of a J_UNEXPECTED (0: none pending). */
  private wordAt = 0
  private wordEnd = 0
  /** The 'I' came after a '-'. */
  private wordMinus = false
  /** The J_UNEXPECTED is the start of a whole NaN, Infinity or -Infinity. */
  private named = false

  set(at: number, kind: number, c: number, afterEnd: boolean): void {
    this.at = at
    this.kind = kind
    this.char = c
    this.afterEnd = afterEnd
  }

  clear(): void {
    this.at = -1
    this.charLeft = 0
    this.wordAt = 0
    this.named = false
  }

  /**
   * Starts reading what the message names from b[i], the error's byte c: a non-ASCII character
   * whole; or, at the 'N' or 'I' of a J_UNEXPECTED, NaN, Infinity or -Infinity where a value
   * belongs (`valueMayStart`; `afterMinus`: right after the '-' starting a number). The rest may
   * come with the next chunk: see resume().
   */
  startName(b: Uint8Array, i: number, valueMayStart: boolean, afterMinus: boolean): void {
    const c = this.char
    if (c >= 0x80) {
      const n = sequenceTail(c)
      this.char = c & (0x3f >> n)
      this.charLeft = n
      this.captureChar(b, i + 1, b.length)
    } else if (this.kind === J_UNEXPECTED) {
      if (c === 0x4e && valueMayStart) {
        this.wordAt = 1
        this.wordEnd = 3
      } else if (c === 0x49 && (valueMayStart || afterMinus)) {
        this.wordAt = 4
        this.wordEnd = WORDS.length
      } else {
        return
      }
      this.wordMinus = afterMinus
      this.matchWord(b, i + 1, b.length)
    }
  }

  /** Reads on, from the start of the next chunk, what startName() began. */
  resume(b: Uint8Array, end: number): void {
    if (this.charLeft > 0) this.captureChar(b, 0, end)
    if (this.wordAt > 0) this.matchWord(b, 0, end)
  }

  /** The problem's column and message. */
  describe(line: number, top: number): LineProblem {
    // A named -Infinity starts at its '-', the character before the 'I'.
    const column = this.named && this.wordMinus ? this.column - 1 : this.column
    return { line, column, message: `not valid JSON: ${this.words(column, top)}` }
  }

  /** Reads the continuation bytes of the character quoted by the message. */
  private captureChar(b: Uint8Array, i: number, end: number): void {
    while (this.charLeft > 0 && i < end) {
      const c = b[i++]
      if ((c & 0xc0) !== 0x80) {
        // Ill-formed: the UTF-8 error at the same place is the one reported.
        this.charLeft = 0
        return
      }
      this.char = (this.char << 6) | (c & 0x3f)
      this.charLeft--
    }
  }

  /** Reads on the word startName() began, which may go on in the next chunk. */
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

  private words(column: number, top: number): string {
    const at = `at column ${column}`
    const c = this.char
    switch (this.kind) {
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
          const what = top === T_OBJECT ? 'object' : 'value'
          return `unexpected ${quoteChar(c)} after the end of the ${what} ${at}`
        }
        return `unexpected ${quoteChar(c)} ${at}`
    }
  }
}

/** What the checker knows of a bad line when it ends. */
export interface BadLine {
  line: number
  /** The line is the file's first and starts with a UTF-8 byte-order mark. */
  bom: boolean
  /** First ill-formed UTF-8 on the line (absolute offset, -1 if none), and its column. */
  utf8At: number
  utf8Column: number
  json: JsonError
  /** What the line's value, its url and its kind were found to be (T_*). */
  top: number
  url: number
  kind: number
}

/** The line's problem: the first one found on it, as the line is read. */
export function describeProblem(bad: BadLine): LineProblem {
  const { line, json } = bad
  if (bad.bom) return { line, column: 1, message: BOM_MESSAGE }
  if (bad.utf8At >= 0 && (json.at < 0 || bad.utf8At <= json.at)) {
    const column = bad.utf8Column
    return { line, column, message: `invalid UTF-8 at column ${column}` }
  }
  if (json.at >= 0) return json.describe(line, bad.top)
  if (bad.top !== T_OBJECT) {
    return { line, message: `expected a JSON object, found ${TYPE_NAMES[bad.top]}` }
  }
  if (bad.url === T_NONE) return { line, message: '"url" is missing' }
  if (bad.url !== T_STRING) {
    return { line, message: `"url" must be a non-empty string, found ${TYPE_NAMES[bad.url]}` }
  }
  return { line, message: `"kind" must be a string, found ${TYPE_NAMES[bad.kind]}` }
}
