import CRC32C from 'crc-32/crc32c.js'
import { crc32cBase64 } from '../../src/ndjson/crc32c.js'

/**
 * CRC-32C by the crc-32 package: a pure-JS implementation independent of the WebAssembly code the
 * action uses, so a test comparing the two can fail.
 */
export function referenceCrc32c(bytes: Uint8Array): number {
  return CRC32C.buf(bytes) >>> 0
}

/**
 * Its wire form (base64 of the 4 big-endian bytes). The formatting is the action's own
 * crc32cBase64, pinned to fixed vectors in __tests__/ndjson/crc32c.test.ts.
 */
export function referenceCrc32cBase64(bytes: Uint8Array): string {
  return crc32cBase64(referenceCrc32c(bytes))
}
