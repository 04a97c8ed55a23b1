/**
 * The bytes of a JSON string, as the line machine (line-machine.ts) reads them: which need a look,
 * what each escape stands for, the hex digits of \uXXXX; and the scan past the bytes that need none.
 */

/** 1 for bytes that may appear unescaped in a JSON string with nothing to check (UTF-8 aside). */
export const PLAIN = new Uint8Array(256).fill(1)
PLAIN.fill(0, 0, 0x20)
PLAIN[0x22] = 0
PLAIN[0x5c] = 0

export const HEX_VALUE = new Int8Array(256).fill(-1)
for (let d = 0; d < 10; d++) HEX_VALUE[0x30 + d] = d
for (let d = 0; d < 6; d++) HEX_VALUE[0x41 + d] = HEX_VALUE[0x61 + d] = 10 + d

/** What each one-character escape stands for (0: not a valid escape; `u` is handled apart). */
export const ESCAPED = new Uint8Array(256)
ESCAPED[0x22] = 0x22
ESCAPED[0x5c] = 0x5c
ESCAPED[0x2f] = 0x2f
ESCAPED[0x62] = 0x08
ESCAPED[0x66] = 0x0c
ESCAPED[0x6e] = 0x0a
ESCAPED[0x72] = 0x0d
ESCAPED[0x74] = 0x09

/**
 * Index of the first byte in [i, end) that is '"', '\\' or a control byte, or end. Scans four
 * bytes per step through `words`, an Int32Array over the same bytes: for the long strings of
 * lines the fast path leaves to the general machine, such as a data URL cut by the end of a chunk.
 */
export function skipPlain(b: Uint8Array, words: Int32Array, i: number, end: number): number {
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
