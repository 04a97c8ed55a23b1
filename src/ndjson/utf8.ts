/**
 * What well-formed UTF-8 is, byte by byte, and where a file's ill-formed UTF-8 is: for the line
 * checker (check.ts), which reads the file in chunks that may split a character anywhere. Also
 * how characters are counted, since columns are counted in characters.
 */

import { isUtf8 } from 'node:buffer'

/** Number of characters (bytes that are not UTF-8 continuation bytes) in b[from, to). */
export function countChars(b: Uint8Array, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if ((b[i] & 0xc0) !== 0x80) n++
  return n
}

/** Bytes after the lead byte c in a well-formed sequence (0: not a lead byte). */
export function sequenceTail(c: number): number {
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

/** Start of a sequence in b[from, end) cut by the chunk end (checked with the next chunk), or end. */
export function findCut(b: Uint8Array, from: number, end: number): number {
  let t = end - 1
  while (t > from && end - t <= 3 && (b[t] & 0xc0) === 0x80) t--
  if (t < from) return end
  const n = sequenceTail(b[t])
  return n > 0 && t + n >= end ? t : end
}

/**
 * The ill-formed UTF-8 of the file, chunk by chunk, as the checker reaches each line: the first
 * such sequence on the current line, the sequence cut by the end of the previous chunk, and the
 * list of those in the chunk being read (isUtf8 says first whether there are any: the usual case
 * costs one native pass).
 */
export class Utf8Faults {
  /** First ill-formed UTF-8 on the current line (absolute offset, -1 if none). */
  lineAt = -1
  lineColumn = 0

  // A UTF-8 sequence cut by the end of the previous chunk.
  private tailLead = 0
  private tailHave = 0
  private tailNeed = 0
  private tailAt = 0
  private tailColumn = 0

  // Ill-formed UTF-8 in the chunk being pushed: at most one entry per line.
  private bad: number[] = []
  private badIndex = 0
  /** Chunk index of the next entry, which the checker takes on reaching it (Infinity: none). */
  nextBad = Infinity

  /** Sets the line's UTF-8 fault unless it has one: only the first of a line is reported. */
  found(at: number, column: number): void {
    if (this.lineAt < 0) {
      this.lineAt = at
      this.lineColumn = column
    }
  }

  /** Moves past the entry at nextBad, which the checker has taken (see found). */
  takeBad(): void {
    this.badIndex++
    this.nextBad = this.badIndex < this.bad.length ? this.bad[this.badIndex] : Infinity
  }

  /**
   * Checks the bytes at b's start that complete the sequence cut by the previous chunk; returns
   * where the chunk's own sequences start.
   */
  continueTail(b: Uint8Array, end: number): number {
    return this.tailHave > 0 ? this.readTail(b, 0, end) : 0
  }

  /**
   * The sequence at b[cut] runs past the chunk's end (`at`, `column`: where it is, for a fault):
   * checks what the chunk holds of it, then waits for the next chunk.
   */
  startTail(b: Uint8Array, cut: number, end: number, at: number, column: number): void {
    this.tailLead = b[cut]
    this.tailHave = 1
    this.tailNeed = sequenceTail(this.tailLead) + 1
    this.tailAt = at
    this.tailColumn = column
    this.readTail(b, cut + 1, end)
  }

  /** The file ends: a sequence still cut is ill-formed. */
  endOfFile(): void {
    if (this.tailNeed > 0) {
      this.tailNeed = 0
      this.found(this.tailAt, this.tailColumn)
    }
  }

  /** Lists the first ill-formed sequence of each line in b[from, to). */
  findBad(b: Buffer, from: number, to: number): void {
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

  /** Checks bytes from b[i] completing the cut sequence; returns where they end. */
  private readTail(b: Uint8Array, i: number, end: number): number {
    while (this.tailHave < this.tailNeed && i < end) {
      const c = b[i]
      const ok = this.tailHave === 1 ? secondByteOk(this.tailLead, c) : (c & 0xc0) === 0x80
      if (!ok) {
        this.tailNeed = 0
        this.tailHave = 0
        this.found(this.tailAt, this.tailColumn)
        return i
      }
      this.tailHave++
      i++
    }
    if (this.tailHave === this.tailNeed) this.tailHave = this.tailNeed = 0
    return i
  }
}
