import {
  ADD,
  AND,
  assemble,
  block,
  br,
  brIf,
  CTZ,
  EQ,
  EQZ,
  get,
  GE_U,
  GT_U,
  I8X16_BITMASK,
  I8X16_EQ,
  I8X16_LT_U,
  I8X16_SPLAT,
  i32,
  load32,
  load8,
  loop,
  LT_U,
  name,
  NE,
  OR,
  RETURN,
  section,
  set,
  store8,
  SUB,
  tee,
  uleb,
  V128_LOAD,
  V128_OR,
  vector,
  when,
  type Code
} from './wasm-assembler.js'

/**
 * The NDJSON checker's fast path, in WebAssembly. It accepts a run of typical lines: an object
 * whose keys have no escapes, whose "url" is a non-empty string and whose "kind", if any, is a
 * string, its other members any JSON nested up to NEST_LIMIT deep; at the first other line it
 * stops, and the general machine in ndjson-check.ts reads that line and explains what is wrong
 * with it, if anything. 16-byte SIMD compares over string content make it about three times as
 * fast as the same loop in JavaScript, with no JIT warm-up. It is a module of its own so that the
 * checker reads as one state machine; the function is assembled by wasm-assembler.ts.
 */

// Memory: the table of one-character escapes, the stack of open brackets, the scratch area.
const STACK_AT = 256
const NEST_LIMIT = 512
const SCRATCH_AT = 1024
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
   * Reads the lines in memory [from, to), which ends with a '\n', while they are typical, and
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
  const bytes = new Uint8Array(memory.buffer)
  for (const c of '"\\/bfnrt') bytes[c.charCodeAt(0)] = 1
  const instance = new api.Instance(new api.Module(fastPathModule()), { env: { memory } })
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

const SET_ACCEPTED: Code = [0x24, 0] // global.set of the one global

// Locals: the two parameters, then i32s, then v128s.
const P = 0 // the read position
const LIM = 1
const COUNT = 2
const LINE = 3 // start of the current line
const CH = 4
const HAS_URL = 5
const KEY = 6 // KEY_OTHER, KEY_URL or KEY_KIND
const START = 7
const BITS = 8
const DEPTH = 9 // of the open brackets in a member's value
const V = 10
const QUOTES = 11
const BACKSLASHES = 12
const SPACES = 13
const I32_LOCALS = 8
const V128_LOCALS = 4

// The member being read; KEY_OTHER is 0 so that `failIf(get(KEY))` refuses a "url" or "kind"
// that is not a string.
const KEY_OTHER = 0
const KEY_URL = 1
const KEY_KIND = 2

/** Little-endian words to compare 4 bytes at once. */
const word = (text: string): number => Buffer.from(text, 'latin1').readInt32LE(0)

function fastPathModule(): Uint8Array {
  const advance = (n: number): Code => [get(P), i32(n), ADD, set(P)]
  const fail: Code = [get(COUNT), SET_ACCEPTED, get(LINE), RETURN]
  const failIf = (...condition: Code[]): Code => [condition, when([fail])]
  const failUnless = (...condition: Code[]): Code => [condition, EQZ, when([fail])]
  const skipSpace: Code = loop(
    'space',
    [get(P), load8(), tee(CH), i32(0x20), EQ],
    [get(CH), i32(0x09), EQ, OR, get(CH), i32(0x0d), EQ, OR],
    when([advance(1), br('space')])
  )
  // To the first '"', '\\' or control byte; the '\n' ending the last line stops it in time.
  const skipPlain: Code = [
    loop(
      'plain',
      [get(P), V128_LOAD, tee(V), get(QUOTES), I8X16_EQ],
      [get(V), get(BACKSLASHES), I8X16_EQ, V128_OR],
      [get(V), get(SPACES), I8X16_LT_U, V128_OR],
      [I8X16_BITMASK, tee(BITS), EQZ, when([advance(16), br('plain')])]
    ),
    [get(P), get(BITS), CTZ, ADD, set(P)]
  ]
  const digitAt = (offset: number): Code => [get(P), load8(offset), i32(0x30), SUB, i32(10), LT_U]
  const skipDigits: Code = loop('digits', digitAt(0), when([advance(1), br('digits')]))
  const hexAt = (offset: number): Code => [
    [get(P), load8(offset), tee(CH), i32(0x30), SUB, i32(10), LT_U],
    [get(CH), i32(0x20), OR, i32(0x61), SUB, i32(6), LT_U, OR]
  ]
  // From after the opening quote to the closing quote.
  const stringContent: Code = block(
    'string',
    loop(
      'content',
      skipPlain,
      [get(P), load8(), tee(CH), i32(0x22), EQ, brIf('string')],
      failIf(get(CH), i32(0x5c), NE), // a control byte
      [get(P), load8(1), load8(0), when([advance(2), br('content')])], // the escape table
      failIf(get(P), load8(1), i32(0x75), NE),
      failUnless(hexAt(2), hexAt(3), AND, hexAt(4), AND, hexAt(5), AND),
      advance(6),
      br('content')
    )
  )
  const scalar: Code = block(
    'scalar',
    [get(CH), i32(0x74), EQ],
    when([failIf(get(P), load32(), i32(word('true')), NE), advance(4), br('scalar')]),
    [get(CH), i32(0x6e), EQ],
    when([failIf(get(P), load32(), i32(word('null')), NE), advance(4), br('scalar')]),
    [get(CH), i32(0x66), EQ],
    when([failIf(get(P), load32(1), i32(word('alse')), NE), advance(5), br('scalar')]),
    // A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    [get(CH), i32(0x2d), EQ, when([advance(1)])],
    [get(P), load8(), i32(0x30), EQ],
    when(
      [advance(1)],
      [failUnless(get(P), load8(), i32(0x31), SUB, i32(9), LT_U), advance(1), skipDigits]
    ),
    [get(P), load8(), i32(0x2e), EQ],
    when([advance(1), failUnless(digitAt(0)), skipDigits]),
    [get(P), load8(), i32(0x20), OR, i32(0x65), EQ],
    when([
      advance(1),
      [get(P), load8(), tee(CH), i32(0x2b), EQ, get(CH), i32(0x2d), EQ, OR, when([advance(1)])],
      failUnless(digitAt(0)),
      skipDigits
    ])
  )
  const isOpening: Code = [get(CH), i32(0x7b), EQ, get(CH), i32(0x5b), EQ, OR]
  const innermost: Code = [get(DEPTH), load8(STACK_AT)] // '{' or '['; +2 makes its closing one
  // In a nested object: from the key's opening quote to the first byte of its value.
  const nestedKey: Code = [
    failIf(get(CH), i32(0x22), NE),
    [advance(1), stringContent, advance(1)],
    [skipSpace, failIf(get(CH), i32(0x3a), NE), advance(1), skipSpace]
  ]
  // Any JSON value starting with '{' or '[', without recursion: DEPTH and a stack of brackets.
  const nested: Code = block(
    'nested',
    [i32(0), set(DEPTH)],
    loop(
      'value',
      block(
        'complete',
        isOpening,
        when([
          [get(DEPTH), i32(1), ADD, tee(DEPTH), i32(NEST_LIMIT), GT_U, when([fail])],
          [get(DEPTH), get(CH), store8(STACK_AT)],
          [advance(1), skipSpace],
          [get(CH), innermost, i32(2), ADD, EQ], // empty
          when([[get(DEPTH), i32(1), SUB, set(DEPTH)], advance(1), br('complete')]),
          [innermost, i32(0x7b), EQ, when([nestedKey])],
          br('value')
        ]),
        [get(CH), i32(0x22), EQ],
        when([advance(1), stringContent, advance(1), br('complete')]),
        scalar
      ),
      loop(
        'after',
        [get(DEPTH), EQZ, brIf('nested')],
        skipSpace,
        [get(CH), i32(0x2c), EQ],
        when([advance(1), skipSpace, [innermost, i32(0x7b), EQ, when([nestedKey])], br('value')]),
        failIf(get(CH), innermost, i32(2), ADD, NE),
        [get(DEPTH), i32(1), SUB, set(DEPTH)],
        advance(1),
        br('after')
      )
    )
  )
  const value: Code = [
    get(CH),
    i32(0x22),
    EQ,
    when(
      [
        advance(1),
        [get(P), set(START)],
        stringContent,
        [get(KEY), i32(KEY_URL), EQ],
        when([failIf(get(P), get(START), EQ), i32(1), set(HAS_URL)]),
        advance(1)
      ],
      // "url" and "kind" must be strings; the general machine says so.
      [failIf(get(KEY)), isOpening, when([nested], [scalar])]
    )
  ]
  const key: Code = [
    [get(P), load32(), i32(word('url"')), EQ],
    when(
      [i32(KEY_URL), set(KEY), advance(4)],
      [
        [get(P), load32(), i32(word('kind')), EQ, get(P), load8(4), i32(0x22), EQ, AND],
        when(
          [i32(KEY_KIND), set(KEY), advance(5)],
          // Any other key without escapes.
          [i32(KEY_OTHER), set(KEY), skipPlain, failIf(get(P), load8(), i32(0x22), NE), advance(1)]
        )
      ]
    )
  ]
  const line: Code = [
    [get(P), set(LINE)],
    skipSpace,
    failIf(get(CH), i32(0x7b), NE),
    advance(1),
    [i32(0), set(HAS_URL)],
    loop(
      'member',
      skipSpace,
      failIf(get(CH), i32(0x22), NE),
      advance(1),
      key,
      skipSpace,
      failIf(get(CH), i32(0x3a), NE),
      advance(1),
      skipSpace,
      value,
      skipSpace,
      [get(CH), i32(0x2c), EQ, when([advance(1), br('member')])]
    ),
    failIf(get(CH), i32(0x7d), NE),
    failUnless(get(HAS_URL)),
    advance(1),
    skipSpace,
    failIf(get(CH), i32(0x0a), NE),
    advance(1),
    [get(COUNT), i32(1), ADD, set(COUNT)]
  ]
  const body: Code = [
    [i32(0x22), I8X16_SPLAT, set(QUOTES)],
    [i32(0x5c), I8X16_SPLAT, set(BACKSLASHES)],
    [i32(0x20), I8X16_SPLAT, set(SPACES)],
    [i32(0), set(COUNT)],
    block('lines', loop('line', [get(P), get(LIM), GE_U, brIf('lines')], line, br('line'))),
    [get(COUNT), SET_ACCEPTED, get(P)]
  ]
  const I32 = 0x7f
  const V128 = 0x7b
  const code = [
    ...vector([
      [...uleb(I32_LOCALS), I32],
      [...uleb(V128_LOCALS), V128]
    ]),
    ...assemble(body),
    0x0b
  ]
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [[0x60, ...vector([[I32], [I32]]), ...vector([[I32]])]]), // (i32, i32) -> i32
    ...section(2, [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(PAGES)]]),
    ...section(3, [uleb(0)]), // one function, of type 0
    ...section(6, [[I32, 0x01, 0x41, 0x00, 0x0b]]), // a mutable i32 global, `accepted`, = 0
    ...section(7, [
      [...name('fastLines'), 0x00, 0],
      [...name('accepted'), 0x03, 0]
    ]),
    ...section(10, [[...uleb(code.length), ...code]])
  ])
}
