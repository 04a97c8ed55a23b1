import { createCRC32, type IHasher } from 'hash-wasm'

/** Reflected Castagnoli polynomial: the CRC-32C that Google Cloud Storage checks. */
const CASTAGNOLI = 0x82f63b78

/**
 * Incremental CRC-32C. hash-wasm's WebAssembly table code runs at close to 2 GiB/s, several times
 * faster than a JavaScript table loop, and needs no native addon, so the bundle runs everywhere.
 * Creating it is async because the WebAssembly module is compiled on first use.
 */
export class Crc32c {
  private constructor(private readonly hasher: IHasher) {}

  static async create(): Promise<Crc32c> {
    const hasher = await createCRC32(CASTAGNOLI)
    hasher.init()
    return new Crc32c(hasher)
  }

  update(chunk: Uint8Array): void {
    this.hasher.update(chunk)
  }

  /** The CRC of everything passed to update() since create() or the last digest(); starts afresh. */
  digest(): number {
    const bytes = this.hasher.digest('binary')
    this.hasher.init()
    return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0
  }
}

/** The form the API and the `x-goog-hash` header use: base64 of the 4 big-endian bytes. */
export function crc32cBase64(crc: number): string {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(crc >>> 0)
  return bytes.toString('base64')
}

/** a(x)·b(x) modulo the CRC polynomial, in the reflected bit order the CRC uses (zlib's multmodp). */
function multModP(a: number, b: number): number {
  let product = 0
  for (let m = 0x80000000; m !== 0; m >>>= 1) {
    if ((a & m) !== 0) product ^= b
    b = (b & 1) !== 0 ? (b >>> 1) ^ CASTAGNOLI : b >>> 1
  }
  return product >>> 0
}

/** x^(2^k) modulo the polynomial for k = 0..63, so any x^(8n) is a product of a few of them. */
const X_POW_2K = (() => {
  const table: number[] = []
  let p = 0x40000000 // x^1
  for (let k = 0; k < 64; k++) {
    table.push(p)
    p = multModP(p, p)
  }
  return table
})()

/**
 * The CRC-32C of A followed by B, from the CRCs of A and B and the length of B, without the bytes:
 * lets two halves of a file be hashed in parallel. Appending n zero bytes to A multiplies its CRC by
 * x^(8n) modulo the polynomial; the initial and final inversions cancel out in the xor with crcB.
 */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) {
    throw new RangeError(`lengthB must be a non-negative safe integer, got ${lengthB}`)
  }
  let shift = 0x80000000 // x^0
  // x^(8n) = product of x^(2^k) over the set bits k of 8n, that is bits k-3 of n
  for (let n = lengthB, k = 3; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) shift = multModP(X_POW_2K[k], shift)
  }
  return (multModP(shift, crcA) ^ crcB) >>> 0
}
