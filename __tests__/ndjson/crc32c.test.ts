import { Crc32c, crc32cBase64 } from '../../src/ndjson/crc32c.js'
import { referenceCrc32c as reference } from '../support/crc32c.js'
import { prng } from '../support/prng.js'

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256)
  return bytes
}

function crcOf(...chunks: Uint8Array[]): number {
  const crc = new Crc32c()
  for (const chunk of chunks) crc.update(chunk)
  return crc.digest()
}

describe('Crc32c', () => {
  it('matches the check vectors', () => {
    expect(crcOf(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crcOf()).toBe(0)
    expect(crcOf(new Uint8Array(0))).toBe(0)
  })

  it('matches an independent implementation on random data', () => {
    const random = prng(1)
    // Around the 16 bytes a step of the module's main loop, and the 64 KiB Crc32c copies at once.
    for (const length of [
      1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 255, 1000, 65535, 65536, 65537, 200_003
    ]) {
      const bytes = randomBytes(random, length)
      expect(crcOf(bytes)).toBe(reference(bytes))
    }
  })

  it('gives the same digest for any chunking of the input', () => {
    const random = prng(2)
    const data = randomBytes(random, 20_000)
    const expected = reference(data)
    for (let round = 0; round < 60; round++) {
      const crc = new Crc32c()
      const maxChunk = [1, 7, 100, 5000, 30_000][round % 5]
      let at = 0
      while (at < data.length) {
        const next = Math.min(data.length, at + 1 + Math.floor(random() * maxChunk))
        crc.update(data.subarray(at, next))
        at = next
      }
      expect(crc.digest()).toBe(expected)
    }
  })

  it('continues from the CRC of the bytes before', () => {
    const data = randomBytes(prng(3), 100_000)
    for (const cut of [0, 1, 16, 50_001, 100_000]) {
      const crc = new Crc32c(crcOf(data.subarray(0, cut)))
      crc.update(data.subarray(cut))
      expect(crc.digest()).toBe(reference(data))
    }
  })

  it('starts afresh after digest()', () => {
    const crc = new Crc32c()
    crc.update(Buffer.from('abc'))
    crc.digest()
    crc.update(Buffer.from('123456789'))
    expect(crc.digest()).toBe(0xe3069283)
  })
})

describe('crc32cBase64', () => {
  it('encodes the 4 big-endian bytes', () => {
    expect(crc32cBase64(0xe3069283)).toBe('4waSgw==')
    expect(crc32cBase64(0)).toBe('AAAAAA==')
    expect(crc32cBase64(0xffffffff)).toBe('/////w==')
    expect(crc32cBase64(0x01020304)).toBe(Buffer.from([1, 2, 3, 4]).toString('base64'))
  })

  it('accepts the signed form of the same 32 bits', () => {
    expect(crc32cBase64(0xe3069283 | 0)).toBe('4waSgw==')
  })
})
