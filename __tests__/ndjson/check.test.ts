import { jest } from '@jest/globals'
import { MAX_DEPTH, MAX_PROBLEMS, NdjsonChecker, type NdjsonCheck } from '../../src/ndjson/check.js'
import { scalarPath } from '../../src/ndjson/fast-path.js'
import { prng } from '../support/prng.js'

// The random-input tests below are CPU-bound: 4–5 s on a quiet machine, up to 14 s seen with both
// cores busy. Jest's 30 s default would be within reach of a machine slower still.
jest.setTimeout(120_000)

type Random = () => number

const int = (random: Random, n: number): number => Math.floor(random() * n)
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]

function bytes(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat(parts.map(p => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))
}

function check(input: string | Uint8Array, ...more: Array<string | Uint8Array>): NdjsonCheck {
  const checker = new NdjsonChecker()
  for (const chunk of [input, ...more]) {
    checker.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  }
  return checker.finish()
}

/** Pushes `data` cut at `cuts`, each chunk copied to a random offset so its alignment varies. */
function checkCut(data: Uint8Array, cuts: number[], random: Random): NdjsonCheck {
  const checker = new NdjsonChecker()
  let from = 0
  for (const to of [...cuts, data.length]) {
    const offset = int(random, 4)
    const copy = new Uint8Array(to - from + offset + int(random, 4))
    copy.set(data.subarray(from, to), offset)
    checker.push(copy.subarray(offset, offset + to - from))
    from = to
  }
  return checker.finish()
}

function messages(result: NdjsonCheck): string[] {
  return result.problems.map(p => `${p.line}: ${p.message}`)
}

/** The one problem of a one-line input. */
function problemOf(line: string | Uint8Array): string | undefined {
  const result = check(line)
  return result.problems[0]?.message
}

describe('NdjsonChecker: good lines', () => {
  it.each([
    ['a typical line', '{"kind": "Image", "url": "https://example.com/a.jpg"}'],
    ['url only', '{"url":"x"}'],
    ['whitespace everywhere', ' \t{ \t"url" \t: \t"x" \t, "kind"\r:"y" } \t'],
    ['members of every type', '{"url":"x","n":-1.5e+3,"t":true,"f":false,"z":null,"a":[1,{}]}'],
    ['nested objects', '{"meta":{"url":5,"kind":[]},"url":"x"}'],
    ['a url key written with escapes', '{"\\u0075rl":"x"}'],
    ['escapes in upper case hex', '{"\\u0075\\u0072\\u006C":"x","\\u006Bind":"y"}'],
    ['escapes in values', '{"url":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}'],
    ['non-ASCII text', '{"url":"https://例え.jp/画像/😀.jpg","kind":"Bild ü"}'],
    ['a url of one escaped NUL', '{"url":"\\u0000"}'],
    ['numbers of every form', '{"url":"x","a":[0,-0,10,0.5,1e5,1E+2,2e-3,-0.0e0]}'],
    ['the last of duplicate keys counts', '{"url":"","url":"x","kind":1,"kind":"k"}']
  ])('accepts %s', (_name, line) => {
    expect(check(`${line}\n`)).toEqual({ items: 1, lines: 1, badLines: 0, problems: [] })
  })

  it('counts blank lines (spaces, tabs, CR) as lines but not items', () => {
    expect(check('{"url":"a"}\n\n  \t\r\n{"url":"b"}\n\r\n')).toEqual({
      items: 2,
      lines: 5,
      badLines: 0,
      problems: []
    })
  })

  it('accepts CRLF line endings', () => {
    expect(check('{"url":"a"}\r\n{"url":"b"}  \r\n')).toEqual({
      items: 2,
      lines: 2,
      badLines: 0,
      problems: []
    })
  })

  it('counts a final line without a newline', () => {
    expect(check('{"url":"a"}\n{"url":"b"}')).toMatchObject({ items: 2, lines: 2, badLines: 0 })
    expect(check('{"url":"a"}\n{"url":')).toMatchObject({ items: 2, lines: 2, badLines: 1 })
    expect(messages(check('{"url":"a"}\n{"url":'))).toEqual([
      '2: not valid JSON: unexpected end of line at column 8'
    ])
  })

  it('gives zeros for empty input', () => {
    expect(check('')).toEqual({ items: 0, lines: 0, badLines: 0, problems: [] })
  })

  it('accepts nesting up to the depth limit', () => {
    const deep = `${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}`
    expect(problemOf(`{"url":"x","a":${deep}}`)).toBeUndefined()
  })
})

describe('NdjsonChecker: problems', () => {
  it.each([
    ['{"url": "a",}', 'not valid JSON: unexpected "}" at column 13'],
    ['{"url" "a"}', `not valid JSON: unexpected '"' at column 8`],
    ['{url: "a"}', 'not valid JSON: unexpected "u" at column 2'],
    ["{'url': 'a'}", `not valid JSON: unexpected "'" at column 2`],
    ['{"url": "a"', 'not valid JSON: unexpected end of line at column 12'],
    ['{"url": "a', 'not valid JSON: unterminated string at column 11'],
    ['{"url": "a"]', 'not valid JSON: unexpected "]" at column 12'],
    ['{"url": ["a"}', 'not valid JSON: unexpected "}" at column 13'],
    ['{"url": "a"} x', 'not valid JSON: unexpected "x" after the end of the object at column 14'],
    ['{"url":"a"}{}', 'not valid JSON: unexpected "{" after the end of the object at column 12'],
    ['[1] 2', 'not valid JSON: unexpected "2" after the end of the value at column 5'],
    [
      '{"url": "a\tb"}',
      'not valid JSON: unescaped control character U+0009 in a string at column 11'
    ],
    ['{"url": "a\\x"}', 'not valid JSON: invalid escape "\\x" at column 12'],
    [
      '{"url": "\\u12G4"}',
      'not valid JSON: invalid \\u escape: "G" is not a hex digit at column 14'
    ],
    ['{"url": 01}', 'not valid JSON: unexpected "1" at column 10'],
    ['{"url": 1.}', 'not valid JSON: unexpected "}" at column 11'],
    ['{"url": -}', 'not valid JSON: unexpected "}" at column 10'],
    ['{"url": .5}', 'not valid JSON: unexpected "." at column 9'],
    ['{"url": +1}', 'not valid JSON: unexpected "+" at column 9'],
    ['{"url": 1e}', 'not valid JSON: unexpected "}" at column 11'],
    ['{"url": True}', 'not valid JSON: unexpected "T" at column 9'],
    ['{"url": nul}', 'not valid JSON: unexpected "}" at column 12'],
    ['{“url”: "a"}', 'not valid JSON: unexpected "“" (U+201C) at column 2'],
    ['{\u00a0"url": "a"}', 'not valid JSON: unexpected U+00A0 at column 2'],
    ['{"é": "€", x}', 'not valid JSON: unexpected "x" at column 12'],
    ['[1, 2]', 'expected a JSON object, found an array'],
    ['"https://example.com/a.jpg"', 'expected a JSON object, found a string'],
    ['42', 'expected a JSON object, found a number'],
    ['true', 'expected a JSON object, found true'],
    ['null', 'expected a JSON object, found null'],
    ['[{"url": "a"}]', 'expected a JSON object, found an array'],
    ['{}', '"url" is missing'],
    ['{"kind": "Image"}', '"url" is missing'],
    ['{"a": {"url": "x"}}', '"url" is missing'],
    ['{"url ": "x"}', '"url" is missing'],
    ['{"URL": "x"}', '"url" is missing'],
    ['{"url\\u0000": "x"}', '"url" is missing'],
    ['{"url": ""}', '"url" must be a non-empty string, found an empty string'],
    ['{"url": " "}', '"url" must be a non-empty string, found a string of only whitespace'],
    [
      '{"url": "\\t\\u0020"}',
      '"url" must be a non-empty string, found a string of only whitespace'
    ],
    ['{"url": 5}', '"url" must be a non-empty string, found a number'],
    ['{"url": null}', '"url" must be a non-empty string, found null'],
    ['{"url": {"href": "x"}}', '"url" must be a non-empty string, found an object'],
    ['{"ur\\u006c": ""}', '"url" must be a non-empty string, found an empty string'],
    ['{"url": "x", "url": ""}', '"url" must be a non-empty string, found an empty string'],
    ['{"url": "x", "kind": 3}', '"kind" must be a string, found a number'],
    ['{"\\u006bind": null, "url": "x"}', '"kind" must be a string, found null'],
    ['{"url": "x", "kind": ["Image"]}', '"kind" must be a string, found an array']
  ])('%s', (line, message) => {
    expect(problemOf(`${line}\n`)).toBe(message)
    // The same without the newline, and after a good line, with the right line number.
    expect(problemOf(line)).toBe(message)
    expect(messages(check(`{"url":"ok"}\n${line}\n`))).toEqual([`2: ${message}`])
  })

  it('gives the column of a syntax error', () => {
    expect(check('{"url": "a",}\n').problems).toEqual([
      { line: 1, column: 13, message: 'not valid JSON: unexpected "}" at column 13' }
    ])
  })

  it('refuses nesting beyond the depth limit', () => {
    const line = `{"url":"x","a":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`
    expect(problemOf(line)).toBe(
      `not valid JSON: nested more than ${MAX_DEPTH} levels deep at column ${16 + MAX_DEPTH - 1}`
    )
  })

  it('reports the first MAX_PROBLEMS bad lines and counts them all', () => {
    const lines: string[] = []
    for (let n = 1; n <= 30; n++) lines.push(n % 2 === 0 ? '{"url":"ok"}' : `{"url":${n}}`)
    const result = check(lines.join('\n'))
    expect(result.items).toBe(30)
    expect(result.badLines).toBe(15)
    expect(result.problems.map(p => p.line)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
    expect(result.problems).toHaveLength(MAX_PROBLEMS)
  })

  it('keeps messages short whatever the line holds', () => {
    const huge = `{"url": "${'a'.repeat(1 << 20)}" ${'b'.repeat(1 << 20)}}`
    const result = check(huge)
    expect(result.problems[0].message).toBe(
      `not valid JSON: unexpected "b" at column ${(1 << 20) + 12}`
    )
    const { problems } = check(`${'x'.repeat(1 << 20)}\n"${'y'.repeat(1 << 20)}`)
    expect(problems.map(p => p.line)).toEqual([1, 2])
    for (const p of problems) expect(p.message.length).toBeLessThan(100)
  })
})

// A typical line with one more member of any JSON value. The fast path takes only string members,
// so it hands such a line to the general machine: what that must accept and refuse in them.
describe('NdjsonChecker: other members of typical lines', () => {
  it.each([
    '0',
    '-0',
    '7',
    '-12',
    '3.25',
    '0.5e-10',
    '1E+2',
    '2e5',
    '123456789012345678901234567890',
    'true',
    'false',
    'null',
    '"a\\/b\\\\c\\"d\\u00e9\\uD83D\\ude00\\b\\f\\n\\r\\t"',
    '""',
    '"\u007f"',
    '{}',
    '[]',
    '[[[]], {}]',
    '{"a": [1, {"b": null, "url": 5}], "c": "x", "k\\u0069nd": []}',
    ' [ 1 , "two" , { "three" : 3 } ] ',
    `${'['.repeat(600)}${']'.repeat(600)}`
  ])('accepts %s', value => {
    const line = `{"kind": "Image", "url": "https://example.com/a.jpg", "other": ${value}}\n`
    expect(check(line.repeat(3))).toEqual({ items: 3, lines: 3, badLines: 0, problems: [] })
  })

  it.each([
    ['01', 'unexpected "1" at column 20'],
    ['1.', 'unexpected "}" at column 21'],
    ['1.e5', 'unexpected "e" at column 21'],
    ['-', 'unexpected "}" at column 20'],
    ['-a', 'unexpected "a" at column 20'],
    ['1e', 'unexpected "}" at column 21'],
    ['1e+', 'unexpected "}" at column 22'],
    ['.5', 'unexpected "." at column 19'],
    ['+1', 'unexpected "+" at column 19'],
    ['tru', 'unexpected "}" at column 22'],
    ['nulL', 'unexpected "L" at column 22'],
    ['falsey', 'unexpected "y" at column 24'],
    ['truex', 'unexpected "x" at column 23'],
    ['"\\u12"', "invalid \\u escape: '\"' is not a hex digit at column 24"],
    ['"\\x"', 'invalid escape "\\x" at column 21'],
    ['"a\u0001"', 'unescaped control character U+0001 in a string at column 21'],
    ['"a\\"', 'unterminated string at column 24'],
    ['1 2', 'unexpected "2" at column 21'],
    ['{"a": 1,}', 'unexpected "}" at column 27'],
    ['[1,]', 'unexpected "]" at column 22'],
    ['[1 2]', 'unexpected "2" at column 22'],
    ['{"a" 1}', 'unexpected "1" at column 24'],
    ['{"a": 1]', 'unexpected "]" at column 26'],
    ['[1}', 'unexpected "}" at column 21'],
    ['{1: 2}', 'unexpected "1" at column 20'],
    ['{"a":}', 'unexpected "}" at column 24'],
    ['{,}', 'unexpected "," at column 20'],
    ['[', 'unexpected "}" at column 20'],
    ['[[]', 'unexpected "}" at column 22'],
    ['{]', 'unexpected "]" at column 20'],
    ['[}', 'unexpected "}" at column 20'],
    ['{"a"; 1}', 'unexpected ";" at column 23'],
    ['{"a" 1 2}', 'unexpected "1" at column 24'],
    ['{"a": 1, 2}', 'unexpected "2" at column 28'],
    ['{a": 1}', 'unexpected "a" at column 20'],
    [
      `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`,
      `nested more than ${MAX_DEPTH} levels deep at column ${19 + MAX_DEPTH - 1}`
    ]
  ])('refuses %s', (value, message) => {
    const good = '{"url": "x"}\n'
    const result = check(`${good}{"url": "x", "n": ${value}}\n${good}`)
    expect(result).toMatchObject({ items: 3, badLines: 1 })
    expect(messages(result)).toEqual([`2: not valid JSON: ${message}`])
  })

  it('finds a special byte at every offset of a 16-byte block', () => {
    for (let length = 0; length < 40; length++) {
      const url = 'a'.repeat(length)
      const good = (s: string): string => `{"url": "x${url}${s}"}\n`
      const lines = [good(''), good('\\n'), good('é'), good('\u007f'), good('\u0001'), good('\t')]
      const result = check(lines.join(''))
      expect({ length, bad: result.problems.map(p => p.line) }).toEqual({ length, bad: [5, 6] })
      expect(result.problems[0].column).toBe(10 + length + 1)
    }
  })
})

describe('NdjsonChecker: byte-order mark and UTF-8', () => {
  const BOM = [0xef, 0xbb, 0xbf]
  const BOM_MESSAGE = 'starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM'

  it('refuses a byte-order mark at the start of the file', () => {
    const result = check(bytes(BOM, '{"url":"a"}\n{"url":"b"}\n'))
    expect(result).toEqual({
      items: 2,
      lines: 2,
      badLines: 1,
      problems: [{ line: 1, column: 1, message: BOM_MESSAGE }]
    })
  })

  it('recognises a byte-order mark split over chunks', () => {
    const result = check(bytes([0xef]), bytes([0xbb]), bytes([0xbf], '{"url":"a"}'))
    expect(messages(result)).toEqual([`1: ${BOM_MESSAGE}`])
  })

  it('names U+FEFF at the start of a later line as a byte-order mark from joined files', () => {
    expect(messages(check(bytes('{"url":"a"}\n', BOM, '{"url":"b"}')))).toEqual([
      '2: not valid JSON: byte-order mark (U+FEFF) at column 1, likely from joining files that each start with one (e.g. with cat); save them as UTF-8 without BOM before joining, or delete it'
    ])
  })

  it.each([
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a 5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['byte FF', [0xff]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]]
  ])('refuses %s in a string, at its column', (_name, bad) => {
    const line = bytes('{"url": "é', bad, 'x"}')
    const expected = ['1: invalid UTF-8 at column 11']
    expect(messages(check(line))).toEqual(expected)
    // Cut at every place: the same answer.
    for (let cut = 1; cut < line.length; cut++) {
      expect(messages(check(line.subarray(0, cut), line.subarray(cut)))).toEqual(expected)
    }
  })

  it('refuses invalid UTF-8 outside strings as invalid UTF-8, not as a JSON error', () => {
    expect(messages(check(bytes('{"url": "x"', [0xc0, 0xaf], '}')))).toEqual([
      '1: invalid UTF-8 at column 12'
    ])
  })

  it('reports whichever comes first on the line: bad JSON or bad UTF-8', () => {
    expect(messages(check(bytes('{"url": x "', [0xff], '"}')))).toEqual([
      '1: not valid JSON: unexpected "x" at column 9'
    ])
    expect(messages(check(bytes('{"url": "', [0xff], '" x}')))).toEqual([
      '1: invalid UTF-8 at column 10'
    ])
  })

  it('refuses a sequence cut by the end of the file', () => {
    const line = bytes('{"url": "x"}', [0xe2, 0x82])
    expect(messages(check(line))).toEqual(['1: invalid UTF-8 at column 13'])
    expect(messages(check(line.subarray(0, 13), line.subarray(13)))).toEqual([
      '1: invalid UTF-8 at column 13'
    ])
  })

  it('accepts multi-byte characters split over chunks', () => {
    const line = Buffer.from('{"url": "€😀é"}\n{"kind": "ü", "url": "中"}\n')
    for (let cut = 1; cut < line.length; cut++) {
      expect(check(line.subarray(0, cut), line.subarray(cut)).badLines).toBe(0)
    }
    const oneByteChunks = [...line].map(b => Uint8Array.of(b))
    expect(check(oneByteChunks[0], ...oneByteChunks.slice(1))).toMatchObject({
      items: 2,
      badLines: 0
    })
  })

  it('counts columns in characters', () => {
    expect(messages(check('{"é😀": "€", x}'))).toEqual([
      '1: not valid JSON: unexpected "x" at column 13'
    ])
  })
})

describe('NdjsonChecker: chunks', () => {
  it('reads a line much longer than a chunk, in constant memory', () => {
    const checker = new NdjsonChecker()
    const chunk = Buffer.alloc(1 << 16, 'a')
    checker.push(Buffer.from('{"kind": "Image", "url": "data:'))
    const before = process.memoryUsage()
    for (let n = 0; n < 512; n++) checker.push(chunk) // 32 MiB in one string
    const after = process.memoryUsage()
    checker.push(Buffer.from('"}\n{"url": "'))
    for (let n = 0; n < 16; n++) checker.push(chunk)
    checker.push(Buffer.from('" x}'))
    const result = checker.finish()
    expect(result.items).toBe(2)
    expect(messages(result)).toEqual([
      `2: not valid JSON: unexpected "x" at column ${16 * (1 << 16) + 12}`
    ])
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)
    expect(grown).toBeLessThan(8 << 20)
  })

  it('matches keys and escapes cut anywhere', () => {
    const text = '{"\\u0075rl": "x", "k\\u0069nd": "a\\"b", "n": [1.5e-3, true]}\n{"url": ""}\n'
    const whole = check(text)
    expect(messages(whole)).toEqual(['2: "url" must be a non-empty string, found an empty string'])
    const data = Buffer.from(text)
    for (let a = 1; a < data.length; a++) {
      for (const b of [a + 1, a + 3, a + 7]) {
        if (b >= data.length) continue
        expect(check(data.subarray(0, a), data.subarray(a, b), data.subarray(b))).toEqual(whole)
      }
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Property test: random files of random good and bad lines, against a reference built on
// JSON.parse, and chunking independence.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function referenceLineOk(line: Buffer, first: boolean): boolean {
  if (first && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) return false
  let value: unknown
  try {
    value = JSON.parse(strictUtf8.decode(line))
  } catch {
    return false
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const record = value as Record<string, unknown>
  const url = Object.hasOwn(record, 'url') ? record.url : undefined
  if (typeof url !== 'string' || /^[ \t\n\r]*$/.test(url)) return false
  return !Object.hasOwn(record, 'kind') || typeof record.kind === 'string'
}

function reference(file: Buffer): { items: number; lines: number; bad: number[] } {
  const lines: Buffer[] = []
  let start = 0
  for (let i = 0; i < file.length; i++) {
    if (file[i] === 0x0a) {
      lines.push(file.subarray(start, i))
      start = i + 1
    }
  }
  if (start < file.length) lines.push(file.subarray(start))
  let items = 0
  const bad: number[] = []
  lines.forEach((line, index) => {
    if (line.every(c => c === 0x20 || c === 0x09 || c === 0x0d)) return
    items++
    if (!referenceLineOk(line, index === 0)) bad.push(index + 1)
  })
  return { items, lines: lines.length, bad }
}

// Lists are written as split strings to keep them short.
const RAW_CHARS = [..."aZ0 /:.-_éß€中😀\u00a0'"]
const ESCAPES = '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20AC \\ud83d\\ude00 \\u0000'.split(' ')
const NUMBERS = '0 -0 7 -12 3.25 1e5 -2.5E-3 1E+2 0.0 123456789012345678901234567890'.split(' ')
/** Not JSON, but what Python's json.dumps writes for some floats, and near misses. */
const NOT_NUMBERS = 'NaN Infinity -Infinity Nan -Inf'.split(' ')
/** Urls of JSON whitespace only, refused, and some with more, accepted. */
const BLANK_URLS = ['" "', '"  "', '"\\t"', '" \\n\\r"', '"\\u0020"', '" x"', '"\\u00a0"']
const KEYS = [
  '"url"',
  '"kind"',
  '"\\u0075rl"',
  '"ur\\u006C"',
  '"\\u006bind"',
  '"URL"',
  '"url "',
  '"urls"',
  '"kin"',
  '"a"',
  '"x\\"y"',
  '"é"',
  '""'
]
const hexes = (text: string): Buffer[] => text.split(' ').map(hex => Buffer.from(hex, 'hex'))
const INSERTS = hexes('22 5c 7b 7d 5b 5d 2c 3a 00 09 0d 1f 7f 20 61 31 2d 2e 65 efbbbf c2a0')
const BAD_UTF8 = hexes('c0af e080af eda080 f4908080 80 bf ff fe e282 f09f98 c3 c1bf f5808080')
const REPLACEMENTS = [0, 0x0b, 0x22, 0x5c, 0x7f, 0x80, 0xc3, 0xe2, 0xff]

function space(random: Random): string {
  return random() < 0.7 ? '' : pick(random, [' ', '  ', '\t', ' \r ', '\r'])
}

function stringBody(random: Random, max: number): string {
  let s = ''
  for (let n = int(random, max); n > 0; n--) {
    s += random() < 0.15 ? pick(random, ESCAPES) : pick(random, RAW_CHARS)
  }
  return s
}

function member(random: Random, key: string, value: string): string {
  return `${key}${space(random)}:${space(random)}${value}`
}

function joined(random: Random, open: string, items: string[], close: string): string {
  const inner = items.join(`${space(random)},${space(random)}`)
  return `${open}${space(random)}${inner}${space(random)}${close}`
}

function value(random: Random, depth: number): string {
  const r = random()
  if (depth > 3 || r < 0.3) return `"${stringBody(random, 8)}"`
  if (r < 0.43) return pick(random, NUMBERS)
  if (r < 0.45) return pick(random, NOT_NUMBERS)
  if (r < 0.55) return pick(random, ['true', 'false', 'null'])
  const items: string[] = []
  for (let n = int(random, 4); n > 0; n--) {
    const item = value(random, depth + 1)
    items.push(r < 0.75 ? item : member(random, pick(random, KEYS), item))
  }
  return r < 0.75 ? joined(random, '[', items, ']') : joined(random, '{', items, '}')
}

function objectLine(random: Random): string {
  const members: string[] = []
  const add = (key: string, v: string): void => {
    members.splice(int(random, members.length + 1), 0, member(random, key, v))
  }
  if (random() < 0.85) {
    const url = `"https://example.com/${stringBody(random, 6)}"`
    const key = pick(random, ['"url"', '"url"', '"\\u0075rl"', '"ur\\u006C"'])
    const other = (): string =>
      pick(random, [() => '""', () => pick(random, BLANK_URLS), () => value(random, 1)])()
    add(key, random() < 0.8 ? url : other())
  }
  if (random() < 0.5) {
    add('"kind"', random() < 0.8 ? `"${stringBody(random, 5)}"` : value(random, 1))
  }
  for (let n = int(random, 3); n > 0; n--) add(pick(random, KEYS), value(random, 1))
  return `${space(random)}${joined(random, '{', members, '}')}${space(random)}`
}

function typicalLine(random: Random): string {
  const name = `${int(random, 1e9)}${pick(random, ['', '', 'é', '😀', '€', 'a/b'])}`
  return `{"kind": "Image", "url": "https://storage.example.com/datasets/${name}.jpg"}`
}

function mutate(random: Random, line: Buffer): Buffer {
  const at = int(random, line.length + 1)
  const head = line.subarray(0, at)
  const rest = line.subarray(at)
  switch (int(random, 5)) {
    case 0:
      return Buffer.concat([head, pick(random, INSERTS), rest])
    case 1:
      return Buffer.concat([head, rest.subarray(1)])
    case 2:
      return head
    case 3: {
      const replaced = Buffer.from(line)
      if (at < line.length) replaced[at] = pick(random, REPLACEMENTS)
      return replaced
    }
    default:
      return Buffer.concat([head, pick(random, BAD_UTF8), rest])
  }
}

function randomLine(random: Random): Buffer {
  const r = random()
  if (r < 0.1) return Buffer.from(pick(random, ['', ' ', '\t', '\r', ' \t\r ']))
  const text = r < 0.45 ? typicalLine(random) : r < 0.85 ? objectLine(random) : value(random, 0)
  const line = Buffer.from(text)
  return random() < 0.35 ? mutate(random, line) : line
}

function randomFile(random: Random): Buffer {
  const parts: Buffer[] = []
  if (random() < 0.1) parts.push(Buffer.from([0xef, 0xbb, 0xbf]))
  const count = 1 + int(random, 40)
  for (let n = 0; n < count; n++) {
    parts.push(randomLine(random))
    if (n < count - 1 || random() < 0.7) parts.push(Buffer.from(random() < 0.2 ? '\r\n' : '\n'))
  }
  return Buffer.concat(parts)
}

function randomCuts(random: Random, length: number, maxChunk: number): number[] {
  const cuts: number[] = []
  for (let at = 1 + int(random, maxChunk); at < length; at += 1 + int(random, maxChunk)) {
    cuts.push(at)
  }
  return cuts
}

describe('NdjsonChecker: mutated lines with nested values', () => {
  const STRUCTURE = [...'{}[],:" 0a-'].map(c => c.charCodeAt(0)).concat(0x7f)

  function nestedValue(random: Random, depth: number): string {
    const r = random()
    if (depth > 4 || r < 0.35) return pick(random, [...NUMBERS, 'true', 'null', '"s"', '"\\n"'])
    const items: string[] = []
    for (let n = int(random, 4); n > 0; n--) {
      const item = nestedValue(random, depth + 1)
      items.push(r < 0.65 ? item : member(random, pick(random, ['"a"', '"url"', '"k"']), item))
    }
    return r < 0.65 ? joined(random, '[', items, ']') : joined(random, '{', items, '}')
  }

  function mutateStructure(random: Random, line: Buffer): Buffer {
    const at = int(random, line.length)
    const bytes = [...line]
    switch (int(random, 4)) {
      case 0:
        bytes[at] = pick(random, STRUCTURE)
        break
      case 1:
        bytes.splice(at, 1)
        break
      case 2:
        bytes.splice(at, 0, pick(random, STRUCTURE))
        break
      default:
        bytes.splice(at, 2, bytes[at + 1] ?? 0x20, bytes[at])
    }
    return Buffer.from(bytes)
  }

  it('judges each line as JSON.parse and the rules do', () => {
    const random = prng(99)
    let bad = 0
    for (let n = 0; n < 12000; n++) {
      const meta = nestedValue(random, 0)
      let line: Buffer = Buffer.from(`{"kind": "Image", "url": "https://x/${n}", "meta": ${meta}}`)
      for (let k = int(random, 3); k > 0; k--) line = mutateStructure(random, line)
      if (line.includes(0x0a)) continue
      const expected = reference(line).bad.length
      // With its newline: the fast path only takes whole lines.
      const result = check(Buffer.concat([line, Buffer.from('\n')]))
      expect({ line: line.toString('latin1'), bad: result.badLines }).toEqual({
        line: line.toString('latin1'),
        bad: expected
      })
      bad += expected
    }
    expect(bad).toBeGreaterThan(4000)
    expect(bad).toBeLessThan(10000)
  })
})

describe('NdjsonChecker: random files', () => {
  it('agrees with JSON.parse and the rules, line by line, for any chunking', () => {
    const random = prng(20240601)
    let badSeen = 0
    let goodSeen = 0
    for (let round = 0; round < 500; round++) {
      const file = randomFile(random)
      const whole = check(file)
      const expected = reference(file)
      const context = `round ${round}: ${JSON.stringify(file.toString('latin1'))}`
      const { items, lines, badLines } = whole
      expect({ context, items, lines, badLines }).toEqual({
        context,
        items: expected.items,
        lines: expected.lines,
        badLines: expected.bad.length
      })
      expect({ context, bad: whole.problems.map(p => p.line) }).toEqual({
        context,
        bad: expected.bad.slice(0, MAX_PROBLEMS)
      })
      badSeen += expected.bad.length
      goodSeen += expected.items - expected.bad.length
      for (const maxChunk of [1, 3, 17, 200]) {
        if (maxChunk === 1 && round % 4 !== 0) continue
        const result = checkCut(file, randomCuts(random, file.length, maxChunk), random)
        expect({ context, maxChunk, result }).toEqual({ context, maxChunk, result: whole })
      }
    }
    // The generator must produce plenty of both, or the test proves little.
    expect(badSeen).toBeGreaterThan(1500)
    expect(goodSeen).toBeGreaterThan(3000)
  })

  it('gives the same answers on the JavaScript path alone (no WebAssembly)', () => {
    const random = prng(20261125)
    for (let round = 0; round < 200; round++) {
      const file = randomFile(random)
      const scalar = new NdjsonChecker(scalarPath())
      scalar.push(file)
      expect({ round, result: scalar.finish() }).toEqual({ round, result: check(file) })
    }
  })
})
