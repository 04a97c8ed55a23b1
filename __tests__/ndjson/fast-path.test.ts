import { jest } from '@jest/globals'
import { isUtf8 } from 'node:buffer'
import { MAX_DEPTH, NdjsonChecker, type NdjsonCheck, type UrlSink } from '../../src/ndjson/check.js'
import {
  fastPath,
  scalarPath,
  SCRATCH_BYTES,
  URL_END,
  URL_ESCAPED,
  URL_FLAGS,
  URL_HASH_HI,
  URL_HASH_LO,
  URL_QUERY,
  URL_RECORD_INTS,
  URL_START,
  URL_WEB,
  type FastPath
} from '../../src/ndjson/fast-path.js'
import { urlFacts } from '../../src/ndjson/url-facts.js'
import { prng } from '../support/prng.js'

// The random-input tests below are CPU-bound: 4–5 s on a quiet machine, up to 14 s seen with both
// cores busy. Jest's 30 s default would be within reach of a machine slower still.
jest.setTimeout(120_000)

type Random = () => number

const int = (random: Random, n: number): number => Math.floor(random() * n)
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]

/** Runs the fast path alone on `data`, which ends with '\n': lines accepted, offset it stopped at. */
function fastRun(data: string | Buffer): { accepted: number; stoppedAt: number } {
  const fast = fastPath()
  const bytes = Buffer.from(data)
  fast.scratch.set(bytes)
  const at = fast.scratch.byteOffset
  const stop = fast.run(at, at + bytes.length)
  return { accepted: fast.accepted.value, stoppedAt: stop - at }
}

interface UrlRecord {
  start: number
  end: number
  hashLo: number
  hashHi: number
  escaped: boolean
  web: boolean
  query: boolean
}

/** The records of the lines the last fastRun accepted, their addresses as offsets in its data. */
function lastRecords(): UrlRecord[] {
  const fast = fastPath()
  const at = fast.scratch.byteOffset
  const records: UrlRecord[] = []
  for (let k = 0; k < fast.accepted.value; k++) {
    const r = fast.records.subarray(k * URL_RECORD_INTS, (k + 1) * URL_RECORD_INTS)
    records.push({
      start: r[URL_START] - at,
      end: r[URL_END] - at,
      hashLo: r[URL_HASH_LO],
      hashHi: r[URL_HASH_HI],
      escaped: (r[URL_FLAGS] & URL_ESCAPED) !== 0,
      web: (r[URL_FLAGS] & URL_WEB) !== 0,
      query: (r[URL_FLAGS] & URL_QUERY) !== 0
    })
  }
  return records
}

/** The checker on `data`, pushed in chunks ending at `cuts`, handing urls to `urls`. */
function check(fast: FastPath, data: Buffer, cuts: number[] = [], urls?: UrlSink): NdjsonCheck {
  const checker = new NdjsonChecker(fast, urls)
  let from = 0
  for (const to of [...cuts, data.length]) {
    checker.push(data.subarray(from, to))
    from = to
  }
  return checker.finish()
}

/** What the checker hands a UrlSink for each good line: its number, url and the url's facts. */
interface LineUrl {
  line: number
  url: string
  hashLo: number
  hashHi: number
  flags: number
}

/** The check of `data` (as check() makes it) and the url of each good line. */
function checkUrls(
  fast: FastPath,
  data: Buffer,
  cuts: number[] = []
): { result: NdjsonCheck; urls: LineUrl[] } {
  const urls: LineUrl[] = []
  const sink: UrlSink = {
    url: (line, hashLo, hashHi, flags, text, from, to) =>
      urls.push({ line, url: text.toString('utf8', from, to), hashLo, hashHi, flags })
  }
  return { result: check(fast, data, cuts, sink), urls }
}

/** What a good line's url is to JSON.parse, and its facts by urlFacts(). */
function expectedUrl(data: Buffer, line: number): LineUrl {
  const text = data.toString('utf8').split('\n')[line - 1]
  const url = (JSON.parse(text) as { url: string }).url
  const { hashLo, hashHi, web, query } = urlFacts(Buffer.from(url))
  const flags = (web ? URL_WEB : 0) | (query ? URL_QUERY : 0)
  return { line, url: Buffer.from(url).toString('utf8'), hashLo, hashHi, flags }
}

const TYPICAL = '{"kind": "Image", "url": "https://storage.example.com/datasets/000000001.jpg"}'
/** A value nested MAX_DEPTH - 1 levels: with the line's object, the deepest the checker takes. */
const DEEPEST = `${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}`

// Ordinary good lines of every shape: the fast path must take each itself, not hand it over.
const ACCEPTED: Array<[string, string]> = [
  ['a typical line', TYPICAL],
  ['a typical line with CRLF', `${TYPICAL}\r`],
  ['url only', '{"url":"x"}'],
  ['spaces, tabs and CRs around every token', ' \t{ \r"url"\t: "x" ,\t"kind" :"y"\r} \t\r'],
  ['whitespace in nested values', '{"url":"x","a": [ 1 ,\t{ "b" :\rnull } , [ ] ] , "c" : { } }'],
  ['any other string member', '{"url": "x", "label": "cat", "": "", "note": "a b/c\u007f"}'],
  ['non-ASCII text', '{"url": "https://例え.jp/画像/😀.jpg", "kind": "Bild ü"}'],
  ['a url key twice, both non-empty', '{"url": "a", "url": "b"}'],
  ['a long url', `{"url": "data:${'a'.repeat(5000)}"}`],
  ['two numeric fields', '{"url": "x", "width": 640, "height": 480}'],
  [
    'numbers of every form',
    '{"url":"x","a":[0,-0,7,-12,3.25,-0.5,1e9,1E+9,2.5e-3,0.5e-3,6.02E23]}'
  ],
  ['a long number', `{"url": "x", "n": -${'9'.repeat(400)}.${'0'.repeat(400)}e-${'1'.repeat(40)}}`],
  ['true, false and null', '{"url": "x", "t": true, "f": false, "z": null}'],
  ['literals in an array', '{"url": "x", "a": [true,false,null]}'],
  ['a nested object', '{"url": "x", "metadata": {"split": "train", "id": 17, "tags": ["a", "b"]}}'],
  ['empty containers', '{"url": "x", "o": {}, "a": [], "n": [[], {}, [{}]]}'],
  ['arrays of objects', '{"url": "x", "boxes": [{"x": 1, "y": 2.5}, {"x": -3, "y": 4e2}]}'],
  ['nesting MAX_DEPTH deep', `{"url": "x", "a": ${DEEPEST}}`],
  ['objects nested deep', `{"url": "x", "a": ${'{"b":'.repeat(50)}1${'}'.repeat(50)}}`],
  [
    'url and kind keys below the top level',
    '{"url":"x","m":{"url":5,"kind":null,"a":[{"url":""}]}}'
  ],
  ['members before and after the url', '{"a": 1, "url": "x", "b": [2], "kind": "y", "c": {}}'],
  [
    'every escape in a value',
    '{"url": "x", "e": "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\ude00 \\u0000"}'
  ],
  ['escapes in a url after its first character', '{"url": "https:\\/\\/x\\u002fa b\\"c"}'],
  ['an escape in a kind', '{"url": "x", "kind": "\\u0049mage"}'],
  ['a kind of only an escape', '{"url": "x", "kind": "\\t"}'],
  ['escapes in nested keys', '{"url": "x", "m": {"a\\"b": 1, "\\u0075rl": 2}}'],
  [
    'escapes spanning 16-byte blocks',
    `{"url": "x", "e": "${'\\u0041'.repeat(20)}${'\\n'.repeat(20)}"}`
  ],
  ['an empty url then a good one', '{"url": "", "url": "x"}'],
  ['a blank url then a good one', '{"url": "  ", "url": "x"}'],
  ['a url starting with an escape then a good one', '{"url": "\\u0041", "url": "x"}'],
  ['a url of another type then a good one', '{"url": 5, "url": [1], "url": {"a": 1}, "url": "x"}'],
  ['a kind of another type then a string', '{"url": "x", "kind": null, "kind": "y"}'],
  [
    'keys that are almost url or kind',
    '{"urls": 1, "ur": 2, "kinds": 3, "kin": 4, "Url": 5, "url": "x"}'
  ],
  ['a url starting with a non-ASCII space', '{"url": "\u00a0x"}']
]

describe('fast path: good lines of every shape', () => {
  it.each(ACCEPTED)('accepts %s', (_name, line) => {
    const text = `${line}\n`
    expect(fastRun(text)).toEqual({ accepted: 1, stoppedAt: Buffer.byteLength(text) })
    expect(check(scalarPath(), Buffer.from(text))).toEqual({
      items: 1,
      lines: 1,
      badLines: 0,
      problems: []
    })
  })

  it('accepts all of them in a run, one item each', () => {
    const text = ACCEPTED.map(([, line]) => `${line}\n`).join('')
    expect(fastRun(text)).toEqual({ accepted: ACCEPTED.length, stoppedAt: Buffer.byteLength(text) })
  })

  it('accepts a run of lines, whatever the length of their strings', () => {
    const lines: string[] = []
    for (let n = 0; n < 40; n++) {
      lines.push(`{"k${'k'.repeat(n)}": "${'v'.repeat(n)}", "url": "u${'u'.repeat(n)}"}\n`)
    }
    const text = lines.join('')
    expect(fastRun(text)).toEqual({ accepted: 40, stoppedAt: Buffer.byteLength(text) })
  })
})

// Each of these lines the fast path does not accept: it stops at its start and the general
// machine reads it, whether it is good (the first group) or bad.
describe('fast path: other lines go to the general machine', () => {
  const good = '{"url": "ok"}\n'
  it.each([
    ['an escape in a top-level key', '{"\\u0075rl": "x"}'],
    ['an escaped quote in a top-level key', '{"url": "x", "a\\"b": "c"}'],
    ['a url key written other than plainly', '{"ur\\u006c": "x"}'],
    ['a url starting with a space', '{"url": " https://x/a.jpg"}'],
    ['a url starting with an escape', '{"url": "\\u0068ttps://x/a.jpg"}'],
    ['a blank line', ' \t\r']
  ])('hands over a good line with %s', (_name, line) => {
    const text = `${good}${line}\n${good}`
    expect(fastRun(text)).toEqual({ accepted: 1, stoppedAt: good.length })
    const result = check(fastPath(), Buffer.from(text))
    expect(result).toEqual(check(scalarPath(), Buffer.from(text)))
    expect(result.badLines).toBe(0)
  })

  it.each([
    ['an empty object', '{}'],
    ['an empty url', '{"url": ""}'],
    ['an empty url after a good one', '{"url": "x", "url": ""}'],
    ['a url of one space', '{"url": " "}'],
    ['a url of spaces', '{"kind": "Image", "url": "                    "}'],
    ['a blank url after a good one', '{"url": "x", "url": "   "}'],
    ['a url of escaped whitespace', '{"url": "\\t\\n\\r\\u0020 "}'],
    ['a missing url', '{"kind": "Image"}'],
    ['a url only below the top level', '{"m": {"url": "x"}}'],
    ['a url key with a space', '{"url ": "x"}'],
    ['a URL key in capitals', '{"URL": "x"}'],
    ['a url that is a number', '{"url": 5}'],
    ['a url that is null', '{"url": null}'],
    ['a url that is an object', '{"url": {"href": "x"}}'],
    ['a url that is an array', '{"url": ["x"]}'],
    ['a good url then one of another type', '{"url": "x", "url": true}'],
    ['a kind that is a number', '{"url": "x", "kind": 3}'],
    ['a kind that is an object', '{"url": "x", "kind": {}}'],
    ['a kind string then one of another type', '{"url": "x", "kind": "a", "kind": false}'],
    ['a tab in a string', '{"url": "a\tb"}'],
    ['a control byte in a key', '{"url": "x", "a\u0001": "b"}'],
    ['a control byte in a nested string', '{"url": "x", "a": ["\u001f"]}'],
    ['an invalid escape', '{"url": "a\\x"}'],
    ['an invalid escape in a nested key', '{"url": "x", "m": {"a\\x": 1}}'],
    ['a \\u escape with no hex digit', '{"url": "x", "a": "\\u"}'],
    ['a \\u escape with one hex digit', '{"url": "x", "a": "\\u1"}'],
    ['a \\u escape with two hex digits', '{"url": "x", "a": "\\u12"}'],
    ['a \\u escape with three hex digits', '{"url": "x", "a": "\\u123"}'],
    ['a \\u escape with a letter past F', '{"url": "x", "a": "\\u12g4"}'],
    ['a \\U escape', '{"url": "x", "a": "\\U0041"}'],
    ['a leading zero', '{"url": "x", "n": 01}'],
    ['a leading zero after a minus', '{"url": "x", "n": -01}'],
    ['a dot with no digit after it', '{"url": "x", "n": 1.}'],
    ['a dot with no digit before it', '{"url": "x", "n": .5}'],
    ['a lone minus', '{"url": "x", "n": -}'],
    ['a plus sign', '{"url": "x", "n": +1}'],
    ['an exponent with no digit', '{"url": "x", "n": 1e}'],
    ['an exponent sign with no digit', '{"url": "x", "n": 1e+}'],
    ['a dot before an exponent', '{"url": "x", "n": 1.e3}'],
    ['a hex number', '{"url": "x", "n": 0x1F}'],
    ['a number followed by a letter', '{"url": "x", "n": 12a}'],
    ['NaN', '{"url": "x", "n": NaN}'],
    ['Infinity', '{"url": "x", "n": -Infinity}'],
    ['a truncated true', '{"url": "x", "t": tru}'],
    ['a truncated null', '{"url": "x", "z": nul}'],
    ['a truncated false', '{"url": "x", "f": fals}'],
    ['True in capitals', '{"url": "x", "t": True}'],
    ['a literal followed by a letter', '{"url": "x", "z": nulll}'],
    ['an array closed by a brace', '{"url": "x", "a": [1}}'],
    ['an object closed by a bracket', '{"url": "x", "a": {"b": 1]}'],
    ['the line closed by a bracket', '{"url": "x"]'],
    ['an unclosed array', '{"url": "x", "a": [1, 2}'],
    ['an unclosed object', '{"url": "x", "a": {"b": 1}'],
    ['a trailing comma in an array', '{"url": "x", "a": [1,]}'],
    ['a trailing comma in an object', '{"url": "x", "a": {"b": 1,}}'],
    ['a leading comma in an array', '{"url": "x", "a": [,1]}'],
    ['a missing value', '{"url": "x", "a": }'],
    ['a member in an array', '{"url": "x", "a": ["b": 1]}'],
    ['a value with no key in an object', '{"url": "x", "a": {1}}'],
    ['nesting past MAX_DEPTH', `{"url": "x", "a": [${DEEPEST}]}`],
    [
      'objects nested past MAX_DEPTH',
      `{"url":"x","a":${'{"b":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}}`
    ],
    ['a trailing comma', '{"url": "x",}'],
    ['no colon', '{"url" "x"}'],
    ['an unquoted key', '{url: "x"}'],
    ['an unterminated string', '{"url": "x'],
    ['text after the object', '{"url": "x"} y'],
    ['a second object', '{"url": "x"}{"url": "y"}'],
    ['an array', '["url", "x"]'],
    ['a string', '"https://example.com/a.jpg"'],
    ['a form feed as whitespace', '{\f"url": "x"}'],
    ['U+00A0 as whitespace', '{"url":\u00a0"x"}'],
    ['a vertical tab as whitespace', '{"url": "x"\u000b}']
  ])('hands over a bad line with %s', (_name, line) => {
    const text = `${good}${line}\n${good}`
    expect(fastRun(text)).toEqual({ accepted: 1, stoppedAt: good.length })
    const result = check(fastPath(), Buffer.from(text))
    expect(result).toEqual(check(scalarPath(), Buffer.from(text)))
    expect(result.problems.map(p => p.line)).toEqual([2])
  })
})

// ---------------------------------------------------------------------------------------------
// Property tests: random lines of every shape (string members only, numbers, literals, nesting,
// escapes), most of them good, many just not, some bad. The invariant: every line the fast path
// accepts, the checker alone accepts too, as one item; and the checker with the fast path answers
// exactly as without it, however the file is cut into chunks.

const TEXT = [..."aZ0 /:.-_é€中😀'\u007f"]
const GOOD_ESCAPES =
  '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\uD83D\\ude00 \\uFFFF \\u0000 \\u0020'.split(
    ' '
  )
const BAD_ESCAPES = ['\\x', '\\u', '\\u1', '\\u12', '\\u123', '\\u12G4', '\\U0041', "\\'", '\\ ']
const NUMBERS =
  '0 -0 7 640 -12 3.25 0.5 -0.0 1e9 1E+9 2.5e-3 0.5e-3 6.02E23 12345678901234567890'.split(' ')
const BAD_NUMBERS =
  '01 -01 00 1. .5 - 1e 1e+ 1E- +1 0x1F 1.e3 --1 1..2 1e1.5 1-2 NaN -Infinity'.split(' ')
const LITERALS = ['true', 'false', 'null']
const BAD_LITERALS = 'tru nul fals True nulll t f n truefalse'.split(' ')
const OTHER_VALUES = [
  ...NUMBERS,
  ...LITERALS,
  '{}',
  '[]',
  '{"a":"b"}',
  '["x",1]',
  '""',
  '"\\u00e9"'
]
const hexes = (text: string): Buffer[] => text.split(' ').map(hex => Buffer.from(hex, 'hex'))
/**
 * Urls the fast path leaves to the checker (it might be blank) or that are bad: empty, blank,
 * starting with a space or an escape, not a string.
 */
const URLS = [
  '" "',
  '"   "',
  '"                 "',
  '" x"',
  '"x "',
  '"\\u0020"',
  '"\\t\\n"',
  '"\\u0068ttps://x/a"',
  '""',
  '5',
  'null',
  'true',
  '[]',
  '["x"]',
  '{"href":"x"}'
]
/** Structure, JSON and other whitespace, control bytes, non-ASCII and ill-formed UTF-8. */
const INSERTS = hexes(
  '22 5c 7b 7d 5b 5d 2c 3a 30 2d 2e 65 20 09 0d 0a 00 01 0b 0c 1f 7f c2a0 ff e282'
)

function space(random: Random): string {
  return random() < 0.6 ? '' : pick(random, [' ', '  ', '\t', '\r', ' \t\r '])
}

function text(random: Random, max: number): string {
  let s = ''
  for (let n = int(random, max); n > 0; n--) s += pick(random, TEXT)
  return s
}

/**
 * A JSON string of up to `max` characters, each an escape at odds `escapes`, which at odds `bad`
 * is not valid.
 */
function jsonString(random: Random, max: number, escapes: number, bad: number): string {
  let s = ''
  for (let n = int(random, max); n > 0; n--) {
    if (random() >= escapes) s += pick(random, TEXT)
    else s += pick(random, random() < bad ? BAD_ESCAPES : GOOD_ESCAPES)
  }
  return `"${s}"`
}

/** `{...}` or `[...]` around `items`; at odds `bad`, closed wrong or with a comma too many. */
function container(random: Random, open: string, items: string[], bad: number): string {
  const close = open === '{' ? '}' : ']'
  let body = items.join(',')
  let end = close
  if (random() < bad) {
    const wrong = pick(random, ['closer', 'comma', 'none'])
    if (wrong === 'closer') end = close === '}' ? ']' : '}'
    else if (wrong === 'comma') body += ','
    else end = ''
  }
  return `${open}${body}${space(random)}${end}`
}

/** A random JSON value nested `depth` deep; at odds `bad` per token, one that is not JSON. */
function jsonValue(random: Random, depth: number, bad: number): string {
  const wrong = random() < bad
  switch (int(random, depth < 4 ? 7 : 5)) {
    case 0:
    case 1:
      return jsonString(random, 12, 0.1, bad)
    case 2:
    case 3:
      return pick(random, wrong ? BAD_NUMBERS : NUMBERS)
    case 4:
      return pick(random, wrong ? BAD_LITERALS : LITERALS)
    case 5: {
      const members: string[] = []
      for (let n = int(random, 4); n > 0; n--) {
        const key = jsonString(random, 6, 0.1, bad)
        const value = jsonValue(random, depth + 1, bad)
        members.push(`${space(random)}${key}${space(random)}:${space(random)}${value}`)
      }
      return container(random, '{', members, bad)
    }
    default: {
      const items: string[] = []
      for (let n = int(random, 4); n > 0; n--) {
        items.push(`${space(random)}${jsonValue(random, depth + 1, bad)}${space(random)}`)
      }
      return container(random, '[', items, bad)
    }
  }
}

/** One line's object from its members, given as [key, value], in a random order. */
function objectLine(random: Random, members: Array<[string, string]>): Buffer {
  const texts: string[] = []
  for (const [key, value] of members) {
    const member = `${space(random)}${key}${space(random)}:${space(random)}${value}${space(random)}`
    texts.splice(int(random, texts.length + 1), 0, member)
  }
  return Buffer.from(`${space(random)}{${texts.join(',')}}${space(random)}`)
}

/** A url that is good and not left to the checker: escapes only after its first character. */
function goodUrl(random: Random): string {
  return `"https://example.com/${jsonString(random, 40, 0.05, 0).slice(1, -1)}"`
}

/**
 * A good line the fast path must accept itself: a url that does not start with a space or an
 * escape, top-level keys without escapes, values of every type. Duplicate url and kind members
 * are of any type but the last.
 */
function ordinaryLine(random: Random): Buffer {
  const members: Array<[string, string]> = []
  const others = (): Array<[string, string]> => {
    const list: Array<[string, string]> = []
    for (let n = int(random, 4); n > 0; n--)
      list.push([`"${text(random, 6)}"`, jsonValue(random, 1, 0)])
    return list
  }
  members.push(...others())
  if (random() < 0.2) members.push(['"url"', random() < 0.5 ? pick(random, URLS) : goodUrl(random)])
  const kindBefore = random() < 0.2
  if (kindBefore) members.push(['"kind"', jsonValue(random, 1, 0)])
  const line = objectLine(random, [...members, ...others()])
  // The deciding url and kind come after every other member of the same name.
  const last: Array<[string, string]> = [['"url"', goodUrl(random)]]
  if (kindBefore || random() < 0.5) last.push(['"kind"', jsonString(random, 6, 0.1, 0)])
  const tail = objectLine(random, [...last, ...others()])
  return joinObjects(line, tail)
}

/** `{a}` and `{b}` made one object `{a, b}` (`{b}` alone if `{a}` is empty). */
function joinObjects(head: Buffer, tail: Buffer): Buffer {
  const a = head.toString('latin1')
  const b = tail.toString('latin1')
  const close = a.lastIndexOf('}')
  const open = b.indexOf('{')
  const body = a.slice(a.indexOf('{') + 1, close)
  if (body.trim() === '') return tail
  const rest = b.slice(open + 1)
  const joined = rest.trimStart().startsWith('}') ? a : `${a.slice(0, close)},${rest}`
  return Buffer.from(joined, 'latin1')
}

/** A line of string members only: the commonest shape, near which most bad lines are. */
function plainLine(random: Random): Buffer {
  const members: Array<[string, string]> = []
  if (random() < 0.9) {
    members.push([
      '"url"',
      random() < 0.1 ? pick(random, URLS) : `"https://example.com/${text(random, 40)}"`
    ])
  }
  if (random() < 0.5) members.push(['"kind"', `"${text(random, 6)}"`])
  for (let n = int(random, 3); n > 0; n--)
    members.push([`"${text(random, 6)}"`, `"${text(random, 20)}"`])
  return objectLine(random, members)
}

/** A line of values of every type, some not valid JSON, some keys with escapes. */
function jsonLine(random: Random): Buffer {
  const bad = pick(random, [0, 0, 0.02, 0.1])
  const members: Array<[string, string]> = []
  for (let n = random() < 0.9 ? 1 + int(random, 2) : 0; n > 0; n--) {
    members.push(['"url"', random() < 0.15 ? pick(random, URLS) : goodUrl(random)])
  }
  if (random() < 0.5) {
    members.push([
      '"kind"',
      random() < 0.8 ? jsonString(random, 6, 0.1, bad) : jsonValue(random, 1, bad)
    ])
  }
  for (let n = int(random, 4); n > 0; n--) {
    members.push([jsonString(random, 6, 0.03, bad), jsonValue(random, 1, bad)])
  }
  return objectLine(random, members)
}

/** A change that usually makes the line not plain, and sometimes bad. */
function mutate(random: Random, line: Buffer): Buffer {
  const at = int(random, line.length + 1)
  const head = line.subarray(0, at)
  const rest = line.subarray(at)
  // Latin-1 maps bytes to characters one to one: text edits keep the bytes they do not touch.
  const edit = (from: RegExp | string, to: string): Buffer =>
    Buffer.from(line.toString('latin1').replace(from, to), 'latin1')
  switch (int(random, 9)) {
    case 0:
      return Buffer.concat([head, rest.subarray(1)])
    case 1:
      return Buffer.concat([head, pick(random, INSERTS), rest])
    case 2: {
      const replaced = Buffer.from(line)
      if (at < line.length) replaced[at] = pick(random, INSERTS)[0]
      return replaced
    }
    case 3:
      return edit(/"([^"]*)"/, `"$1${pick(random, [...GOOD_ESCAPES, ...BAD_ESCAPES])}"`)
    case 4:
      return edit(
        /: *"[^"]*"/,
        `: ${pick(random, [...OTHER_VALUES, ...BAD_NUMBERS, ...BAD_LITERALS])}`
      )
    case 5: // an empty or blank url, or one more url member
      return edit(
        '{',
        pick(random, ['{"url": "",', '{"url": "again", ', '{"url":"",  ', '{"url": "  ", '])
      )
    case 6:
      return edit(/"url"/g, '"link"')
    case 7: // cut short: a truncated number, literal, escape or container
      return line.subarray(0, at)
    default:
      return pick(random, [
        Buffer.from('{}'),
        Buffer.concat([Buffer.from('{"url": "x", "n": '), line, Buffer.from('}')]),
        Buffer.concat([Buffer.from('['), line, Buffer.from(']')])
      ])
  }
}

function nearGoodLine(random: Random): Buffer {
  let line = random() < 0.5 ? plainLine(random) : jsonLine(random)
  for (let k = random() < 0.5 ? 0 : 1 + int(random, 2); k > 0; k--) line = mutate(random, line)
  return line
}

function randomFile(random: Random): Buffer {
  const parts: Buffer[] = []
  for (let n = 1 + int(random, 30); n > 0; n--) {
    const line = random() < 0.3 ? ordinaryLine(random) : nearGoodLine(random)
    parts.push(line, Buffer.from(random() < 0.2 ? '\r\n' : '\n'))
  }
  if (random() < 0.3) parts.pop()
  return Buffer.concat(parts)
}

function randomCuts(random: Random, length: number): number[] {
  const cuts: number[] = []
  const max = pick(random, [3, 17, 64, 1000])
  for (let at = 1 + int(random, max); at < length; at += 1 + int(random, max)) cuts.push(at)
  return cuts
}

/** The fast path, counting the lines it accepts. */
function counted(fast: FastPath): FastPath & { total: number } {
  const path = {
    ...fast,
    total: 0,
    run: (from: number, to: number): number => {
      const stop = fast.run(from, to)
      path.total += fast.accepted.value
      return stop
    }
  }
  return path
}

/** What a line holds, to tell that the accepted lines cover every kind of value. */
const FEATURES: Record<string, RegExp> = {
  number: /[:[,]\s*-?\d/,
  literal: /[:[,]\s*(true|false|null)/,
  nesting: /[:[,]\s*[[{]/,
  escape: /\\/
}

describe('fast path: random lines of every shape', () => {
  it('accepts every ordinary good line itself, and records its deciding url', () => {
    const random = prng(2026)
    for (let n = 0; n < 3000; n++) {
      const data = Buffer.concat([ordinaryLine(random), Buffer.from('\n')])
      const line = data.toString()
      expect({ line, run: fastRun(data) }).toEqual({
        line,
        run: { accepted: 1, stoppedAt: data.length }
      })
      const { start, end, escaped, ...facts } = lastRecords()[0]
      const content = data.subarray(start, end)
      expect({
        line,
        url: JSON.parse(`"${content.toString()}"`) as string,
        escaped,
        facts: escaped ? undefined : facts
      }).toEqual({
        line,
        url: (JSON.parse(line) as { url: string }).url,
        escaped: content.includes(0x5c),
        facts: escaped ? undefined : urlFacts(content)
      })
    }
  })

  it('accepts only lines the checker accepts alone, one item each', () => {
    const random = prng(20261126)
    let accepted = 0
    let refused = 0
    const covered: Record<string, number> = {}
    for (let n = 0; n < 12000; n++) {
      const line = nearGoodLine(random)
      // The checker hands the fast path whole lines of well-formed UTF-8 only.
      if (line.includes(0x0a) || !isUtf8(line)) continue
      const data = Buffer.concat([line, Buffer.from('\n')])
      if (fastRun(data).accepted === 0) {
        refused++
        continue
      }
      accepted++
      for (const [name, pattern] of Object.entries(FEATURES)) {
        if (pattern.test(line.toString())) covered[name] = (covered[name] ?? 0) + 1
      }
      expect({ line: line.toString(), result: check(scalarPath(), data) }).toEqual({
        line: line.toString(),
        result: { items: 1, lines: 1, badLines: 0, problems: [] }
      })
    }
    // Both sides of the line must be well covered, or the test proves little.
    expect(accepted).toBeGreaterThan(4000)
    expect(refused).toBeGreaterThan(4000)
    expect(Math.min(...Object.keys(FEATURES).map(name => covered[name] ?? 0))).toBeGreaterThan(500)
  })

  it('leaves every answer of the checker unchanged, and hands over the same urls, for any chunking', () => {
    const random = prng(1126)
    const fast = counted(fastPath())
    let bad = 0
    let urls = 0
    for (let round = 0; round < 1000; round++) {
      const file = randomFile(random)
      const expected = checkUrls(scalarPath(), file)
      const context = `round ${round}: ${JSON.stringify(file.toString('latin1'))}`
      expect({ context, ...checkUrls(fast, file) }).toEqual({ context, ...expected })
      const cuts = randomCuts(random, file.length)
      expect({ context, cuts, ...checkUrls(fast, file, cuts) }).toEqual({
        context,
        cuts,
        ...expected
      })
      expect({ context, cuts, ...checkUrls(scalarPath(), file, cuts) }).toEqual({
        context,
        cuts,
        ...expected
      })
      // One url per good line, the one JSON.parse finds on it, with urlFacts()' facts of it.
      const { result } = expected
      expect(expected.urls).toHaveLength(result.items - result.badLines)
      expect({
        context,
        urls: expected.urls.map(({ line }) => expectedUrl(file, line))
      }).toEqual({ context, urls: expected.urls })
      bad += result.badLines
      urls += expected.urls.length
    }
    expect(fast.total).toBeGreaterThan(8000)
    expect(bad).toBeGreaterThan(4000)
    expect(urls).toBeGreaterThan(8000)
  })
})

// ---------------------------------------------------------------------------------------------
// The url records: for each line it accepts, the fast path gives where its deciding url is and,
// for a url without escapes, the same hash, web and query facts as urlFacts() in JavaScript.

/** Urls around each rule of urlFacts(), and lengths around the 16-byte blocks. */
const TRICKY_URLS = [
  'https://example.com/a.jpg',
  'HTTP://EXAMPLE.COM/A.JPG',
  'HtTpS://h',
  'http:///x',
  'http://',
  'https://',
  'http://?q',
  'http://:80/',
  'http://:/',
  'http://host:8080/x',
  'http://[::1]:80/',
  'http://user:pw@host/x',
  'http://a@b@c/',
  'http://user@/x',
  'http://@host/',
  'https:/x',
  'https:x',
  'http',
  's3://bucket/key',
  'gs://bucket/key',
  'file:///tmp/x.jpg',
  'data:image/png;base64,AAAA',
  '/relative/path.jpg',
  'https://h/a b.jpg',
  'https://h/a.jpg ',
  'https://例え.jp/画像/😀.jpg',
  'https://h/x?X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600',
  'https://h/#?',
  'x',
  ...Array.from({ length: 70 }, (_, n) => `https://h.io/${'a'.repeat(n)}`),
  ...Array.from(
    { length: 40 },
    (_, n) => `http://${'u'.repeat(n)}@${'h'.repeat(40 - n)}:8${'0'.repeat(n % 5)}/p`
  )
]
const URL_STARTS = [
  'http://',
  'https://',
  'HTTP://',
  'HtTpS://',
  'http:/',
  'https:',
  's3://',
  '/',
  ''
]
const URL_TEXT = [...'aZ09-._~/?#@:%&= é中😀\u007f']
/** Characters JSON.stringify escapes. */
const URL_ESCAPED_TEXT = ['"', '\\', '\n', '\t', '\u0001']

function randomUrl(random: Random): string {
  let url = pick(random, URL_STARTS)
  for (let n = int(random, 60); n > 0; n--) {
    url += random() < 0.01 ? pick(random, URL_ESCAPED_TEXT) : pick(random, URL_TEXT)
  }
  return url
}

/** Good lines with `url` deciding, in shapes of every kind, and where its content starts. */
function urlLine(random: Random, url: string): { line: string; at: number } {
  const before = pick(random, [
    '{"url": ',
    '{"kind": "Image", "url":',
    '{"n": [1, {"a": null}], "url": "https://first.example.com/", "url" : ',
    ' {\t"url"\r:'
  ])
  const after = pick(random, [
    '}',
    ', "width": 640, "height": 480}',
    ', "m": {"url": 5, "t": [true]}}'
  ])
  return { line: `${before}${JSON.stringify(url)}${after}\n`, at: Buffer.byteLength(before) + 1 }
}

describe('fast path: url records', () => {
  it('records where each deciding url is, and the same facts as urlFacts()', () => {
    const random = prng(21)
    const urls = [...TRICKY_URLS]
    for (let n = 0; n < 3000; n++) urls.push(randomUrl(random))
    const lines: string[] = []
    let length = 0
    const expected: Array<Partial<UrlRecord>> = []
    let escaped = 0
    for (const url of urls) {
      const content = JSON.stringify(url).slice(1, -1)
      // Empty, blank or maybe blank: left to the general machine, which would end the run.
      if (content === '' || content.startsWith(' ') || content.startsWith('\\')) continue
      const { line, at } = urlLine(random, url)
      const start = length + at
      const end = start + Buffer.byteLength(content)
      if (content.includes('\\')) {
        // The JavaScript side decodes such a url and works its facts out itself.
        expected.push({ start, end, escaped: true })
        escaped++
      } else {
        const { hashLo, hashHi, web, query } = urlFacts(Buffer.from(url))
        expected.push({ start, end, hashLo, hashHi, escaped: false, web, query })
      }
      lines.push(line)
      length += Buffer.byteLength(line)
    }
    expect(fastRun(lines.join(''))).toEqual({ accepted: expected.length, stoppedAt: length })
    const records = lastRecords()
    const compared = records.map(({ start, end, escaped, ...facts }) =>
      escaped ? { start, end, escaped } : { start, end, escaped, ...facts }
    )
    expect(compared).toEqual(expected)
    // Both kinds, and both answers of each flag, must be well covered.
    expect(escaped).toBeGreaterThan(300)
    for (const flag of ['web', 'query'] as const) {
      expect(records.filter(r => r[flag]).length).toBeGreaterThan(300)
      expect(records.filter(r => !r.escaped && !r[flag]).length).toBeGreaterThan(300)
    }
  })

  it('has room for the records of a scratch area full of the shortest lines', () => {
    const line = '{"url":"x"}\n'
    const lines = Math.floor(SCRATCH_BYTES / line.length)
    expect(fastRun(line.repeat(lines))).toEqual({ accepted: lines, stoppedAt: lines * line.length })
    const records = lastRecords()
    const { hashLo, hashHi } = urlFacts(Buffer.from('x'))
    const last = (lines - 1) * line.length
    expect(records.at(-1)).toEqual({
      start: last + 8,
      end: last + 9,
      hashLo,
      hashHi,
      escaped: false,
      web: false,
      query: false
    })
    expect(fastPath().records.length).toBeGreaterThanOrEqual(lines * URL_RECORD_INTS)
  })
})
