/**
 * The grammar of one line, byte by byte: the general machine of the line checker (check.ts). It
 * knows JSON and the line's schema (an object whose `url` is a non-empty string and whose `kind`,
 * when present, is a string), and keeps its state between chunks, so that chunks may split lines
 * and characters anywhere and memory stays constant however long a line is. What to do with an
 * error and at the end of a line is the checker's: it extends this class, so the machine's loop
 * reads its state as plain fields of one object.
 */

import { isJsonSpace } from './file-cause.js'
import { ESCAPED, HEX_VALUE, PLAIN, skipPlain } from './json-string.js'

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
export const T_NONE = 0
export const T_OBJECT = 1
const T_ARRAY = 2
export const T_STRING = 3
const T_NUMBER = 4
const T_TRUE = 5
const T_FALSE = 6
const T_NULL = 7
const T_EMPTY_STRING = 8
const T_BLANK_STRING = 9

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
export const J_UNEXPECTED = 0
export const J_END_OF_LINE = 1
export const J_END_IN_STRING = 2
export const J_CONTROL = 3
export const J_ESCAPE = 4
export const J_HEX = 5
export const J_DEPTH = 6

const CONTAINER_OBJECT = 1
const CONTAINER_ARRAY = 2

const LITERALS = new TextEncoder().encode('truefalsenull')

export abstract class LineMachine {
  /** Absolute offset of the current chunk's first byte. */
  protected base = 0

  // What the line's value was found to be (T_*), so far.
  protected top = T_NONE
  protected url = T_NONE
  protected kind = T_NONE

  private state = S_LINE
  private depth = 0
  private readonly stack = new Uint8Array(MAX_DEPTH)
  private member = M_NONE
  private role = R_VALUE
  /** Absolute offset of the opening quote of the string being read. */
  protected stringStart = 0
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

  /**
   * Records a JSON syntax error at chunk index i (b null: at the end of the input), before the
   * machine skips the rest of the line: the first error of a line is the one reported.
   */
  protected abstract noteError(b: Uint8Array | null, i: number, kind: number, c?: number): void

  /** Ends the current line at chunk index i ('\n'), or at the end of the input when b is null. */
  protected abstract endLine(b: Buffer | null, i: number): number

  /** A url string of the line's object (from stringStart) ends at b[i], its closing quote. */
  protected abstract urlRead(b: Buffer, i: number): void

  /** A url string of the line's object is being read: it goes on in the next chunk. */
  protected readingUrl(): boolean {
    return this.role === R_URL && this.state >= S_STRING && this.state <= S_HEX
  }

  /** Only whitespace so far on this line. */
  protected blankSoFar(): boolean {
    return this.state === S_LINE
  }

  /** After the line's complete value: anything but whitespace is a second value. */
  protected afterTopValue(): boolean {
    return this.state === S_AFTER && this.depth === 0
  }

  /** A value may start here. */
  protected valueMayStart(): boolean {
    const state = this.state
    return state === S_LINE || state === S_VALUE || state === S_ARRAY_FIRST
  }

  /** Right after the '-' that starts a number. */
  protected afterMinus(): boolean {
    return this.state === S_MINUS
  }

  /**
   * The JSON error of a non-blank line ending here, or -1: none, as its value is complete or its
   * error already found.
   */
  protected errorAtEnd(): number {
    const state = this.state
    if (state === S_SKIP) return -1
    const complete =
      this.depth === 0 &&
      (state === S_AFTER ||
        state === S_ZERO ||
        state === S_INT ||
        state === S_FRACTION ||
        state === S_EXPONENT)
    if (complete) return -1
    const inString = state === S_STRING || state === S_ESCAPE || state === S_HEX
    return inString ? J_END_IN_STRING : J_END_OF_LINE
  }

  /** The line's value is an object whose url and kind are as the schema wants. */
  protected valueOk(): boolean {
    if (this.top !== T_OBJECT) return false
    return this.url === T_STRING && (this.kind === T_NONE || this.kind === T_STRING)
  }

  protected startLine(): void {
    this.state = S_LINE
    this.depth = 0
    this.top = T_NONE
    this.member = M_NONE
    this.url = T_NONE
    this.kind = T_NONE
  }

  /** Records the error and skips the rest of the line. */
  private fail(b: Uint8Array, i: number, kind: number, c = 0): number {
    this.noteError(b, i, kind, c)
    this.state = S_SKIP
    return i
  }

  /**
   * The general machine: runs from b[i] to the end of the line (returning the index after its
   * '\n') or of the chunk (returning end).
   */
  protected parse(b: Buffer, words: Int32Array, i: number, end: number): number {
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
        if (c !== 0x65 && c !== 0x45) return this.endNumber(i)
        this.state = S_E
        return i + 1
      case S_E:
        if (!digit && c !== 0x2b && c !== 0x2d) return this.fail(b, i, J_UNEXPECTED, c)
        this.state = digit ? S_EXPONENT : S_EXP_SIGN
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
        this.urlRead(b, i)
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
}
