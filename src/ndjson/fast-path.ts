import { FAST_PATH_WASM } from './fast-path.wasm.js'

/**
 * The NDJSON checker's fast path, in WebAssembly: fast-path.wat, compiled at build time
 * (npm run build:generated) into fast-path.wasm.ts. It validates the whole JSON grammar of a line
 * (every value type, escapes, nesting up to MAX_DEPTH) and the url and kind rules, and accepts a
 * run of good lines. At the first line it does not accept it stops, and the general machine in
 * check.ts reads that line and judges it: that machine is the one grammar of a line. The fast path
 * leaves it a few rare good lines too (see fast-path.wat): a top-level key written with an escape,
 * a url starting with a space or an escape.
 *
 * Invariant: every line the fast path accepts, the full checker accepts with the same item count.
 *
 * On typical lines it is several times as fast as the general machine, mostly thanks to its
 * 16-byte SIMD compares over the strings.
 */

// Memory: the module's own data in its first 1513 bytes (tables, its stack of containers: see
// fast-path.wat), the scratch area the checker copies chunks to, slack, then the records of the
// accepted lines.
const SCRATCH_AT = 4096
export const SCRATCH_BYTES = 1 << 20
/** The SIMD loads may read up to 16 bytes past the data: this keeps them inside the memory. */
const SLACK_BYTES = 64
const RECORDS_AT = SCRATCH_AT + SCRATCH_BYTES + SLACK_BYTES

/**
 * A record per accepted line, of the line's deciding url: URL_RECORD_INTS i32s, of which those
 * at these indexes mean something. Start and end are memory addresses (the same as the scratch
 * Buffer's byteOffset plus an index), of the url's raw content between its quotes.
 */
export const URL_START = 0
export const URL_END = 1
export const URL_FLAGS = 2
/** The url-facts.ts hash of the content, as two int32 (the Int32Array's own reading). */
export const URL_HASH_LO = 4
export const URL_HASH_HI = 5
export const URL_RECORD_INTS = 8
/**
 * Flags. URL_ESCAPED: the content holds an escape; then the hash, URL_WEB and URL_QUERY are not
 * meaningful: urlFacts() of the decoded url tells them. URL_WEB, URL_QUERY: urlFacts()' web and
 * query.
 */
export const URL_ESCAPED = 1
export const URL_WEB = 2
export const URL_QUERY = 4
/** `{"url":"x"}` and its '\n': no line the fast path accepts is shorter. */
const SHORTEST_LINE = 12
/** The most lines one run can accept: a scratch area full of the shortest. */
const RECORDS = Math.floor(SCRATCH_BYTES / SHORTEST_LINE)

const PAGE_BYTES = 1 << 16
const PAGES = Math.ceil((RECORDS_AT + RECORDS * URL_RECORD_INTS * 4) / PAGE_BYTES)

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
   * Reads the lines in memory [from, to), which ends with a '\n', while it accepts them, and
   * returns the address after the last one accepted; `accepted` then holds how many they were.
   */
  run: (from: number, to: number) => number
  accepted: { value: number }
  /** The records of the lines the last run accepted: URL_RECORD_INTS each, in line order. */
  records: Int32Array
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
  const instance = new api.Instance(module, { env: { memory, recordsAt: RECORDS_AT } })
  return {
    scratch: Buffer.from(memory.buffer, SCRATCH_AT, SCRATCH_BYTES),
    words: new Int32Array(memory.buffer, SCRATCH_AT, SCRATCH_BYTES / 4),
    run: instance.exports.fastLines as FastPath['run'],
    accepted: instance.exports.accepted as FastPath['accepted'],
    records: new Int32Array(memory.buffer, RECORDS_AT, RECORDS * URL_RECORD_INTS)
  }
}

/** Accepts no line, so every line takes the JavaScript path. */
export function scalarPath(): FastPath {
  const memory = new ArrayBuffer(SCRATCH_BYTES + SLACK_BYTES)
  return {
    scratch: Buffer.from(memory, 0, SCRATCH_BYTES),
    words: new Int32Array(memory, 0, SCRATCH_BYTES / 4),
    run: from => from,
    accepted: { value: 0 },
    records: new Int32Array(0)
  }
}
