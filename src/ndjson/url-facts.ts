/**
 * Facts about an item's url, for the checks of the urls across a file: a 64-bit hash (to tell
 * duplicates), whether it is a web url, whether it has a query. The fast path (fast-path.wat,
 * $url) works out the same for the lines it accepts, 16 bytes per step; this is the JavaScript
 * twin for the urls the general machine reads (decoded from their escapes, as UTF-8), and the two
 * agree exactly on every url without escapes (a differential test holds them to it).
 */

export interface UrlFacts {
  /** The hash as two int32, as the fast path's records hold it. */
  hashLo: number
  hashHi: number
  /**
   * `http://` or `https://` (the letters in either case), then an authority up to the first `/`,
   * `?` or `#` or the end, whose host (after its last `@`, less a `:port` of digits only) is not
   * empty; and no space or control character anywhere.
   */
  web: boolean
  /** The url holds a `?`. */
  query: boolean
}

// The hash: see fast-path.wat ($url) for its definition. 64-bit values are pairs of uint32 here,
// low word first: [acc0 low, acc0 high, acc1 low, acc1 high] and the same for the key.
const ACC_START = [0x7f4a7c15, 0x9e3779b9, 0x1ce4e5b9, 0xbf58476d]
const KEY = [0x85a308d3, 0x243f6a88, 0x03707344, 0x13198a2e]
const STEP = [0x7f4a7c15, 0x9e3779b9, 0xd192ed03, 0xd1b54a32]

export function urlFacts(bytes: Uint8Array): UrlFacts {
  const [hashLo, hashHi] = urlHash(bytes)
  return { hashLo, hashHi, web: isWebUrl(bytes), query: bytes.includes(0x3f) }
}

function urlHash(b: Uint8Array): [number, number] {
  const acc = ACC_START.slice()
  const key = KEY.slice()
  const d = [0, 0, 0, 0]
  const n = b.length
  // Every block, the last one being the 0-15 bytes left, zero-padded.
  for (let at = 0; at <= n; at += 16) {
    for (let w = 0; w < 4; w++) d[w] = word(b, at + w * 4)
    for (let lane = 0; lane < 2; lane++) {
      const x = lane * 2
      const other = 2 - x
      // The product of the lane's two words ^ the key's, and the other lane's data.
      addProduct(acc, x, d[x] ^ key[x], d[x + 1] ^ key[x + 1])
      add64(acc, x, d[other], d[other + 1])
      add64(key, x, STEP[x], STEP[x + 1])
    }
  }
  let h1 = acc[0] ^ n
  let h2 = acc[1] ^ n
  let h3 = acc[2] ^ n
  let h4 = acc[3] ^ n
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = fmix32((h2 + h1) | 0)
  h3 = fmix32((h3 + h1) | 0)
  h4 = fmix32((h4 + h1) | 0)
  h1 = fmix32(h1)
  h1 = (h1 + h2 + h3 + h4) | 0
  return [h1, (h2 + h1) | 0]
}

/** The little-endian word at i of the bytes, those at n and past counting as zeros. */
function word(b: Uint8Array, i: number): number {
  if (i + 4 <= b.length) return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
  let m = 0
  for (let k = 3; k >= 0; k--) m = (m << 8) | (i + k < b.length ? b[i + k] : 0)
  return m >>> 0
}

/**
 * The 64-bit value at words[i] += a * b (uint32s), modulo 2^64. The product in 16-bit pieces:
 * each exact in a double.
 */
function addProduct(words: number[], i: number, a: number, b: number): void {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const middle = a1 * b0 + a0 * b1
  const low = a0 * b0 + (middle % 0x10000) * 0x10000
  add64(words, i, low, a1 * b1 + Math.floor(middle / 0x10000) + Math.floor(low / 0x100000000))
}

/** The 64-bit value at words[i] (low word first) += (lo, hi), each word taken modulo 2^32. */
function add64(words: number[], i: number, lo: number, hi: number): void {
  const sum = words[i] + (lo >>> 0)
  words[i] = sum >>> 0
  words[i + 1] = (words[i + 1] + (hi >>> 0) + (sum > 0xffffffff ? 1 : 0)) >>> 0
}

/** MurmurHash3's finalizer. */
function fmix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  return (x ^ (x >>> 16)) | 0
}

const SCHEME_END = [0x3a, 0x2f, 0x2f] // "://"

function isWebUrl(b: Uint8Array): boolean {
  for (const c of b) if (c <= 0x20) return false
  // "http" in either case, then "s" or not.
  if (b.length < 7 || (b[0] | 0x20) !== 0x68 || (b[1] | 0x20) !== 0x74) return false
  if ((b[2] | 0x20) !== 0x74 || (b[3] | 0x20) !== 0x70) return false
  let at = (b[4] | 0x20) === 0x73 ? 5 : 4
  for (const c of SCHEME_END) if (b[at++] !== c) return false
  let host = at
  let end = at
  for (; end < b.length; end++) {
    const c = b[end]
    if (c === 0x2f || c === 0x3f || c === 0x23) break
    if (c === 0x40) host = end + 1
  }
  if (host === end) return false
  if (b[host] !== 0x3a) return true
  for (let i = host + 1; i < end; i++) if (b[i] < 0x30 || b[i] > 0x39) return true
  return false
}
