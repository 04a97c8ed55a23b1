import { FAST_PATH_WASM } from './fast-path.wasm.js'

/**
 * The NDJSON checker's fast path, in WebAssembly: fast-path.wat, compiled at build time
 * (npm run build:generated) into fast-path.wasm.ts. It accepts a run of plain lines, which are,
 * byte for byte: optional spaces, tabs or CRs, `{`, one or more `"key": "value"` members separated
 * by `,` (the same whitespace allowed around every token), `}`, optional whitespace, `\n`; where
 * every key and value is a string with no `\` and no byte below 0x20, one key is exactly "url",
 * and no "url" value is empty or starts with a space (it might be blank). At the first other line
 * it stops, and the general machine in check.ts reads that line and judges it: that machine is
 * the one grammar of a line.
 *
 * Invariant: every line the fast path accepts, the full checker accepts with the same item count.
 *
 * On typical lines it is about five times as fast as the general machine, mostly thanks to its
 * 16-byte SIMD compares over the values.
 */

// Memory: the scratch area the checker copies chunks to, then slack. The module keeps no data of
// its own, so the scratch area starts at 0.
const SCRATCH_AT = 0
export const SCRATCH_BYTES = 1 << 20
/** The SIMD loads may read up to 15 bytes past the data: this keeps them inside the memory. */
const SLACK_BYTES = 64
const PAGE_BYTES = 1 << 16
const PAGES = Math.ceil((SCRATCH_AT + SCRATCH_BYTES + SLACK_BYTES) / PAGE_BYTES)

/** The few members of the WebAssembly API used here (the project's TypeScript libs lack them). */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer }
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

export interface FastPath {
  /** Where push() copies chunks to, and the same bytes as 32-bit words (for skipPlain). */
  scratch: Buffer
  words: Int32Array
  /**
   * Reads the lines in memory [from, to), which ends with a '\n', while they are plain, and
   * returns the address after the last one accepted; `accepted` then holds how many they were.
   */
  run: (from: number, to: number) => number
  accepted: { value: number }
}

let fastPathInstance: FastPath | undefined

/**
 * The module is compiled once per thread, on first use (about a millisecond). Where
 * WebAssembly SIMD is missing (a locked-down or old runtime) the checker still works, on its
 * JavaScript path alone: slower, never wrong.
 */
export function fastPath(): FastPath {
  if (fastPathInstance === undefined) {
    try {
      fastPathInstance = simdPath()
    } catch {
      fastPathInstance = scalarPath()
    }
  }
  return fastPathInstance
}

function simdPath(): FastPath {
  const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly
  const memory = new api.Memory({ initial: PAGES, maximum: PAGES })
  const module = new api.Module(Buffer.from(FAST_PATH_WASM, 'base64'))
  const instance = new api.Instance(module, { env: { memory } })
  return {
    scratch: Buffer.from(memory.buffer, SCRATCH_AT, SCRATCH_BYTES),
    words: new Int32Array(memory.buffer, SCRATCH_AT, SCRATCH_BYTES / 4),
    run: instance.exports.fastLines as FastPath['run'],
    accepted: instance.exports.accepted as FastPath['accepted']
  }
}

/** Accepts no line, so every line takes the JavaScript path. */
export function scalarPath(): FastPath {
  const memory = new ArrayBuffer(SCRATCH_BYTES + SLACK_BYTES)
  return {
    scratch: Buffer.from(memory, 0, SCRATCH_BYTES),
    words: new Int32Array(memory, 0, SCRATCH_BYTES / 4),
    run: from => from,
    accepted: { value: 0 }
  }
}
