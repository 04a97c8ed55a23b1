import { GZIP_MAGIC } from './gzip.js'

/**
 * Whole-file mistakes named by their cause. A file in the wrong format (UTF-16, compressed,
 * binary, a Git LFS pointer, one JSON array, pretty-printed objects, classic Mac line ends) is
 * refused by the line checker anyway, but line by line and in terms of bytes: "invalid UTF-8 at
 * column 1" on every line says nothing of PowerShell. These rules name the cause once, with the
 * fix, from the file's first bytes and from a few facts about its shape the checker gathers on
 * the way (check.ts). They only ever name why a file is refused: the checker gives a cause only
 * for a file with bad lines, so what is accepted and refused is the line checker's alone.
 */

export interface FileCause {
  /**
   * Plain text that follows the file's name: what the file is, then what to do, e.g.
   * `is a zip archive; upload the NDJSON file in it, unzipped or gzip-compressed`.
   */
  message: string
  /** 1-based line (and column) when the cause has one place worth one annotation. */
  line?: number
  column?: number
}

/** How many of the file's first bytes the checker keeps for these rules. */
export const FIRST_BYTES = 4096

/** What the checker gathers for these rules while it reads the file. */
export interface FileShape {
  /** The file's first FIRST_BYTES bytes (all of a shorter file). */
  firstBytes: Uint8Array
  /** The last byte of the file that is not a space, tab, CR or LF (-1: none). */
  lastNonBlank: number
  /** Non-blank lines. */
  items: number
  /**
   * The first non-blank line holds one complete JSON value, of whatever type. Read only when the
   * file starts with `[`: the checker sets it when its general machine reads that line, and the
   * fast path, which could have read it instead, never takes a line starting so.
   */
  firstItemComplete: boolean
  /** The first bad line, when it ends inside an open object (0: it does not). */
  openObjectLine: number
  /** Some line starts with `}`. */
  closerLine: boolean
  /**
   * Offset of the byte line 1 was refused at, when that is a second value after the end of its
   * first one, as in `{"url": "a"}{"url": "b"}` (-1: not so).
   */
  secondValueAt: number
}

/**
 * Windows PowerShell 5.1 has no encoding that writes UTF-8 without a byte-order mark (its
 * `-Encoding utf8` writes one, which the check refuses too); .NET's WriteAllLines does.
 */
const UTF16_FIX =
  'save it as UTF-8 without a byte-order mark: in Windows PowerShell 5.1 `[IO.File]::WriteAllLines($path, $lines)`, in PowerShell 7 `Set-Content -Encoding utf8NoBOM`'

/** What to do with a compressed file: the scan decompresses gzip (gzip.ts), and gzip alone. */
const RECOMPRESS = 'upload the NDJSON uncompressed, or gzip-compressed (`gzip items.ndjson`)'

/** Each follows the file's name: what the file is, then what to do about it. */
const CAUSES = {
  // The scan decompresses a gzip file: gzip that the checker sees was inside the gzip.
  gzip: 'is gzip-compressed twice (the NDJSON in it is gzip again); compress the NDJSON only once',
  zip: 'is a zip archive; upload the NDJSON file in it, unzipped or gzip-compressed',
  zstd: `is zstd-compressed; ${RECOMPRESS}`,
  bzip2: `is bzip2-compressed; ${RECOMPRESS}`,
  xz: `is xz-compressed; ${RECOMPRESS}`,
  utf16: `is UTF-16 text (as Windows PowerShell 5.1 writes it); ${UTF16_FIX}`,
  utf16be: `is UTF-16 big-endian text; ${UTF16_FIX}`,
  binary: 'is binary, not text; upload an NDJSON file (UTF-8 text, one JSON object per line)',
  lfs: 'is a Git LFS pointer, not the file; check out with `lfs: true` (actions/checkout), or run `git lfs pull`',
  array: "is one JSON array, not NDJSON; write one object per line (e.g. `jq -c '.[]'`)",
  crOnly:
    'ends its lines with CR alone (classic Mac OS line ends), so it reads as one line; end each line with LF or CRLF',
  prettyPrinted: (line: number): string =>
    `holds JSON objects written over several lines (pretty-printed), the first from line ${line}; write each object on one line (e.g. \`jq -c .\`)`
}

/** A local file header: every zip that holds a file starts with one. */
const ZIP = [0x50, 0x4b, 0x03, 0x04]
/** Magic numbers of a zstd frame, a bzip2 stream (`BZh`, then the block size) and xz. */
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]
const BZIP2 = [0x42, 0x5a, 0x68]
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
const BOM = [0xef, 0xbb, 0xbf]
/** The first line of every Git LFS pointer file (the spec's version line). */
const LFS_POINTER = [...Buffer.from('version https://git-lfs.github.com/spec/v1')]

/** Code units looked at to tell UTF-16 without a byte-order mark. */
const UTF16_UNITS = 256

const SPACE = 0x20
const TAB = 0x09
const CR = 0x0d
const LF = 0x0a

/** The cause of the mistakes of a file with bad lines, if it is one of those named here. */
export function fileCause(shape: FileShape): FileCause | undefined {
  const message = firstBytesCause(shape.firstBytes)
  return message !== undefined ? { message } : shapeCause(shape)
}

/** Formats told from the first bytes alone: magic numbers first, as they are certain. */
function firstBytesCause(b: Uint8Array): string | undefined {
  if (startsWith(b, GZIP_MAGIC)) return CAUSES.gzip
  if (startsWith(b, ZIP)) return CAUSES.zip
  if (startsWith(b, ZSTD)) return CAUSES.zstd
  if (startsWith(b, BZIP2) && b[3] >= 0x31 && b[3] <= 0x39) return CAUSES.bzip2
  if (startsWith(b, XZ)) return CAUSES.xz
  const utf16 = utf16Order(b)
  if (utf16 !== undefined) return utf16 === 'le' ? CAUSES.utf16 : CAUSES.utf16be
  if (isBinary(b)) return CAUSES.binary
  if (startsWith(b, LFS_POINTER)) return CAUSES.lfs
  return undefined
}

/**
 * UTF-16 by its byte-order mark (FF FE, FE FF: never in UTF-8), or without one by its zeros: JSON
 * is mostly ASCII, whose UTF-16 code units have one zero byte each. So UTF-16 is at least 3 in 4
 * of the first code units with a zero high byte and at most 1 in 4 with a zero low byte (the
 * margin lets in some characters above U+00FF, such as a non-Latin file name). UTF-8 text has no
 * zero bytes at all.
 */
function utf16Order(b: Uint8Array): 'le' | 'be' | undefined {
  if (b[0] === 0xff && b[1] === 0xfe) return 'le'
  if (b[0] === 0xfe && b[1] === 0xff) return 'be'
  const units = Math.min(b.length >> 1, UTF16_UNITS)
  if (units < 2) return undefined
  let evenZeros = 0
  let oddZeros = 0
  for (let i = 0; i < units * 2; i += 2) {
    if (b[i] === 0) evenZeros++
    if (b[i + 1] === 0) oddZeros++
  }
  if (oddZeros * 4 >= units * 3 && evenZeros * 4 <= units) return 'le'
  if (evenZeros * 4 >= units * 3 && oddZeros * 4 <= units) return 'be'
  return undefined
}

/**
 * Binary: at least 1 in 16 of the first bytes, and at least 4, are control bytes that text does
 * not use (C0 but tab, LF, VT, FF, CR, and ESC, which colours logs): most formats have zeros in
 * their headers, and compressed or random data has about 1 in 9. A text file with a stray NUL or
 * two is not binary: its lines are reported as they are.
 */
function isBinary(b: Uint8Array): boolean {
  let controls = 0
  for (const c of b) {
    if (c < 0x20 && (c < TAB || c > CR) && c !== 0x1b) controls++
  }
  return controls >= 4 && controls * 16 >= b.length
}

/** Formats told from the file's shape, most specific first: an array may hold objects. */
function shapeCause(shape: FileShape): FileCause | undefined {
  if (isWholeArray(shape)) return { message: CAUSES.array }
  const open = shape.openObjectLine || (bomThenBrace(shape.firstBytes) ? 1 : 0)
  if (open > 0 && shape.closerLine) return { message: CAUSES.prettyPrinted(open), line: open }
  if (crBeforeSecondValue(shape)) return { message: CAUSES.crOnly }
  return undefined
}

/**
 * One JSON array, on one line or pretty-printed: the first non-blank byte (after a byte-order
 * mark) is `[` and the last is `]`. But not a file of lines that each hold a whole array
 * (`[1, 2]` then more): when the first line is a complete value and more lines follow, the lines
 * are reported as they are. A file whose first line is an array and the rest objects ends in `}`.
 */
function isWholeArray(shape: FileShape): boolean {
  const b = shape.firstBytes
  let i = startsWith(b, BOM) ? BOM.length : 0
  while (i < b.length && isJsonSpace(b[i])) i++
  if (b[i] !== 0x5b || shape.lastNonBlank !== 0x5d) return false
  return shape.items === 1 || !shape.firstItemComplete
}

/**
 * Line 1 is a byte-order mark and `{` alone, as Windows PowerShell 5.1 writes ConvertTo-Json
 * output with `-Encoding utf8`. The checker stops reading line 1 at the mark, so it cannot see
 * that the line opens an object: this tells it from the bytes.
 */
function bomThenBrace(b: Uint8Array): boolean {
  if (!startsWith(b, BOM)) return false
  let i = BOM.length
  while (b[i] === SPACE || b[i] === TAB) i++
  if (b[i++] !== 0x7b) return false
  while (b[i] === SPACE || b[i] === TAB || b[i] === CR) i++
  return b[i] === LF
}

/**
 * CR-only line ends (classic Mac OS): the whole file is line 1, and the checker refuses it at the
 * second value, as text after the end of the first one. It is that cause when the blanks between
 * the two values hold a CR. (Line 1 must then start within the first bytes: a first value longer
 * than those gets the line's own message.)
 */
function crBeforeSecondValue(shape: FileShape): boolean {
  const b = shape.firstBytes
  const at = shape.secondValueAt
  if (at <= 0 || at > b.length) return false
  for (let i = at - 1; i >= 0 && isJsonSpace(b[i]); i--) if (b[i] === CR) return true
  return false
}

/** JSON's whitespace. */
/** JSON's whitespace: space, tab, LF, CR (also what makes a line blank). */
export function isJsonSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF
}

function startsWith(b: Uint8Array, prefix: readonly number[]): boolean {
  if (b.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false
  return true
}

/**
 * A cause's two halves, for a summary that shows them apart: what the file is, and what to do
 * (every cause's message is the two, joined by the first `; `).
 */
export function causeParts(cause: FileCause): { what: string; fix: string } {
  const at = cause.message.indexOf('; ')
  return at < 0
    ? { what: cause.message, fix: '' }
    : { what: cause.message.slice(0, at), fix: cause.message.slice(at + 2) }
}
