import { CRC32C_WASM } from './crc32c.wasm.js'

/**
 * Incremental CRC-32C, in WebAssembly: crc32c.wat, compiled at build time (npm run
 * build:generated) into crc32c.wasm.ts. Its slicing-by-16 runs at about 3 GiB/s, several times a
 * JavaScript table loop, with no native addon, so the bundle runs everywhere. The same module
 * runs in the worker thread of crc-worker.ts, which hashes beside the line check.
 */

/**
 * Where the data to hash goes in the module's memory, after the module's own (see crc32c.wat),
 * and how much Crc32c copies there at a time.
 */
export const BUFFER_AT = 0x10000
export const BUFFER_BYTES = 0x10000

const PAGE_BYTES = 0x10000

/** The few members of the WebAssembly API used here (the project's TypeScript libs lack them). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => Crc32cMemory
}

/** A shared WebAssembly.Memory for the module: its own data, then the data to hash. */
export interface Crc32cMemory {
  buffer: SharedArrayBuffer
}

/** The module's export: the CRC of memory [from, to) following bytes whose CRC is `crc`. */
type Update = (crc: number, from: number, to: number) => number

let compiled: object | undefined
let instance: { update: Update; buffer: Uint8Array } | undefined

function webAssembly(): WebAssemblyApi {
  return (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly
}

/**
 * The compiled module (a WebAssembly.Module), compiled once per process: a worker thread is
 * handed this one (a module can be posted to a worker) and instantiates it there.
 */
export function crc32cModule(): object {
  compiled ??= new (webAssembly().Module)(Buffer.from(CRC32C_WASM, 'base64'))
  return compiled
}

/** A memory for the module with `bytes` (whole pages) for the data, from BUFFER_AT. */
export function crc32cMemory(bytes: number): Crc32cMemory {
  const pages = (BUFFER_AT + bytes) / PAGE_BYTES
  return new (webAssembly().Memory)({ initial: pages, maximum: pages, shared: true })
}

/** This thread's instance, with a memory of its own: the tables (16 KiB) and the buffer. */
function crc32cInstance(): { update: Update; buffer: Uint8Array } {
  if (instance === undefined) {
    const memory = crc32cMemory(BUFFER_BYTES)
    const { exports } = new (webAssembly().Instance)(crc32cModule(), { env: { memory } })
    instance = {
      update: exports.update as Update,
      buffer: new Uint8Array(memory.buffer, BUFFER_AT, BUFFER_BYTES)
    }
  }
  return instance
}

export class Crc32c {
  private readonly wasm = crc32cInstance()

  /** `crc`: the CRC of bytes before, to continue from them; 0 to start. */
  constructor(private crc = 0) {}

  update(chunk: Uint8Array): void {
    const { update, buffer } = this.wasm
    // The module reads only its own memory: the chunk is copied there, a buffer at a time.
    for (let at = 0; at < chunk.length; at += BUFFER_BYTES) {
      const piece = chunk.subarray(at, at + BUFFER_BYTES)
      buffer.set(piece)
      this.crc = update(this.crc, BUFFER_AT, BUFFER_AT + piece.length)
    }
  }

  /** The CRC of all update()s since it was made or the last digest(), which starts afresh. */
  digest(): number {
    const crc = this.crc >>> 0
    this.crc = 0
    return crc
  }
}

/** The form the API and the `x-goog-hash` header use: base64 of the 4 big-endian bytes. */
export function crc32cBase64(crc: number): string {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(crc >>> 0)
  return bytes.toString('base64')
}
