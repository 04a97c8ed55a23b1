import { QUERY_BYTES, signatureExpiry, type SignatureExpiry } from './signed-url.js'

/**
 * signatureExpiry() of the web urls of a file, remembered by their query less the values of its
 * signatures. The urls a store signs in one go share their query but for the signature (the date,
 * the lifetime, the key are the same): read whole, each cost some 3 µs, which on a file of signed
 * urls was most of the scan's time; remembered, the look-up costs a fraction of that.
 *
 * Exact, as signatureExpiry() reads a query (signed-url.ts): it splits the query on `&`, up to
 * its first `#`, and of a parameter named `signature` or `sig` it reads only whether it is there
 * (its value goes only into a duplicate's ambiguity, which it does not read either); other names
 * that end in `ignature` (`X-Amz-Signature`) it does not read at all. So two urls whose queries
 * differ only in the values of such parameters have the same expiry. Queries it may read only in
 * part (past QUERY_BYTES), and urls with a `#` before the `?`, are not remembered.
 */

/** Queries remembered at most; then the memo starts afresh. */
const MEMO_SIZE = 1024
const SIGNATURE_END = Buffer.from('ignature')

export class ExpiryMemo {
  private readonly known = new Map<string, SignatureExpiry | undefined>()

  /** signatureExpiry() of the url in text[from, to), an http(s) url. */
  expiry(text: Buffer, from: number, to: number): SignatureExpiry | undefined {
    const key = queryKey(text, from, to)
    if (key !== undefined && this.known.has(key)) return this.known.get(key)
    const expiry = signatureExpiry(text.toString('utf8', from, to))
    if (key !== undefined) {
      if (this.known.size === MEMO_SIZE) this.known.clear()
      this.known.set(key, expiry)
    }
    return expiry
  }
}

/**
 * The url's query as a key: its bytes, less the value of each parameter whose name ends in
 * `ignature` or is `sig` (before the query's first `#`). Undefined for a url whose query
 * signatureExpiry() would not read whole, or not at all.
 */
export function queryKey(text: Buffer, from: number, to: number): string | undefined {
  // One pass in JavaScript: Buffer's indexOf costs a call into C++ each.
  let mark = from
  while (mark < to && text[mark] !== 0x3f) {
    if (text[mark] === 0x23) return undefined
    mark++
  }
  if (mark === to || to - mark - 1 > QUERY_BYTES) return undefined
  let key = ''
  let kept = mark + 1
  let start = mark + 1
  let equals = -1
  for (let i = start; i <= to; i++) {
    const c = i === to ? 0x23 : text[i]
    if (c === 0x3d) {
      if (equals < 0) equals = i
    } else if (c === 0x26 || c === 0x23) {
      if (equals >= 0 && isSignatureName(text, start, equals)) {
        key += text.toString('latin1', kept, equals + 1)
        kept = i
      }
      if (c === 0x23) break
      start = i + 1
      equals = -1
    }
  }
  // Latin-1 maps each byte to one character: equal keys, equal bytes.
  return key + text.toString('latin1', kept, to)
}

/** `sig`, or a name that ends in `ignature`. */
function isSignatureName(b: Buffer, start: number, end: number): boolean {
  if (end - start === 3) return b[start] === 0x73 && b[start + 1] === 0x69 && b[start + 2] === 0x67
  if (end - start < 8) return false
  for (let k = 0; k < 8; k++) if (b[end - 8 + k] !== SIGNATURE_END[k]) return false
  return true
}
