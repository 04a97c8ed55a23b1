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

  /** The CRC of all update()s since create() or the last digest(), which starts afresh. */
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
