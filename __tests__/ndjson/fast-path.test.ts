import { jest } from '@jest/globals'
import { isUtf8 } from 'node:buffer'
import { NdjsonChecker, type NdjsonCheck } from '../../src/ndjson/check.js'
import { fastPath, scalarPath, type FastPath } from '../../src/ndjson/fast-path.js'
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

/** The checker on `data`, pushed in chunks ending at `cuts`. */
function check(fast: FastPath, data: Buffer, cuts: number[] = []): NdjsonCheck {
  const checker = new NdjsonChecker(fast)
  let from = 0
  for (const to of [...cuts, data.length]) {
    checker.push(data.subarray(from, to))
    from = to
  }
  return checker.finish()
}

const TYPICAL = '{"kind": "Image", "url": "https://storage.example.com/datasets/000000001.jpg"}'

describe('fast path: plain lines', () => {
  it.each([
    ['a typical line', `${TYPICAL}\n`],
    ['a typical line with CRLF', `${TYPICAL}\r\n`],
    ['url only', '{"url":"x"}\n'],
    ['spaces, tabs and CRs around every token', ' \t{ \r"url"\t: "x" ,\t"kind" :"y"\r} \t\r\n'],
    ['any other string member', '{"url": "x", "label": "cat", "": "", "note": "a b/c\u007f"}\n'],
    ['non-ASCII text', '{"url": "https://例え.jp/画像/😀.jpg", "kind": "Bild ü"}\n'],
    ['a url key twice, both non-empty', '{"url": "a", "url": "b"}\n'],
    ['a long url', `{"url": "data:${'a'.repeat(5000)}"}\n`]
  ])('accepts %s', (_name, line) => {
    expect(fastRun(line)).toEqual({ accepted: 1, stoppedAt: Buffer.byteLength(line) })
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

// Each of these lines is not plain: the fast path stops at its start and the general machine reads
// it, whether it is good (the first group) or bad.
describe('fast path: everything else goes to the general machine', () => {
  const good = '{"url": "ok"}\n'
  it.each([
    ['a number', '{"url": "x", "n": 1}'],
    ['true', '{"url": "x", "t": true}'],
    ['false', '{"url": "x", "f": false}'],
    ['null', '{"url": "x", "z": null}'],
    ['a nested object', '{"url": "x", "meta": {"a": "b"}}'],
    ['a nested array', '{"url": "x", "tags": ["a"]}'],
    ['an escape in a value', '{"url": "x\\/y"}'],
    ['a \\u escape in a value', '{"url": "x", "kind": "\\u00e9"}'],
    ['an escape in a key', '{"\\u0075rl": "x"}'],
    ['an escaped quote in a key', '{"url": "x", "a\\"b": "c"}'],
    ['an empty url before a good one', '{"url": "", "url": "x"}'],
    ['a url starting with a space', '{"url": " https://x/a.jpg"}'],
    ['a blank url before a good one', '{"url": "  ", "url": "x"}'],
    ['a url key written other than plainly', '{"ur\\u006c": "x"}'],
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
    ['a missing url', '{"kind": "Image"}'],
    ['a url key with a space', '{"url ": "x"}'],
    ['a URL key in capitals', '{"URL": "x"}'],
    ['a url that is not a string', '{"url": 5}'],
    ['a kind that is not a string', '{"url": "x", "kind": 3}'],
    ['a tab in a string', '{"url": "a\tb"}'],
    ['a control byte in a key', '{"url": "x", "a\u0001": "b"}'],
    ['an invalid escape', '{"url": "a\\x"}'],
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
// Property test: lines near the plain shape, many of them plain, many just not, some bad. The
// invariant: every line the fast path accepts, the checker alone accepts too; and the checker with
// the fast path answers exactly as without it, however the file is cut into chunks.

const TEXT = [..."aZ0 /:.-_é€中😀'\u007f"]
const OTHER_VALUES =
  '1 -2.5e3 0 true false null {} [] {"a":"b"} ["x",1] "" "a\\"b" "\\u00e9"'.split(' ')
const ESCAPES = ['\\n', '\\"', '\\/', '\\u0041', '\\x']
const hexes = (text: string): Buffer[] => text.split(' ').map(hex => Buffer.from(hex, 'hex'))
/** Urls the fast path leaves to the checker (blank ones are refused), and plain ones. */
const URLS = ['" "', '"   "', '"                 "', '" x"', '"x "', '"\\u0020"']
/** Structure, JSON and other whitespace, control bytes, non-ASCII and ill-formed UTF-8. */
const INSERTS = hexes('22 5c 7b 7d 5b 5d 2c 3a 30 20 09 0d 0a 00 01 0b 0c 1f 7f c2a0 ff e282')

function space(random: Random): string {
  return random() < 0.6 ? '' : pick(random, [' ', '  ', '\t', '\r', ' \t\r '])
}

function text(random: Random, max: number): string {
  let s = ''
  for (let n = int(random, max); n > 0; n--) s += pick(random, TEXT)
  return s
}

function plainLine(random: Random): Buffer {
  const members: string[] = []
  const add = (key: string, value: string): void => {
    const member = `${space(random)}"${key}"${space(random)}:${space(random)}${value}${space(random)}`
    members.splice(int(random, members.length + 1), 0, member)
  }
  if (random() < 0.9) {
    add('url', random() < 0.1 ? pick(random, URLS) : `"https://example.com/${text(random, 40)}"`)
  }
  if (random() < 0.5) add('kind', `"${text(random, 6)}"`)
  for (let n = int(random, 3); n > 0; n--) add(text(random, 6), `"${text(random, 20)}"`)
  return Buffer.from(`${space(random)}{${members.join(',')}}${space(random)}`)
}

/** A change that usually makes the line not plain, and sometimes bad. */
function mutate(random: Random, line: Buffer): Buffer {
  const at = int(random, line.length + 1)
  const head = line.subarray(0, at)
  const rest = line.subarray(at)
  // Latin-1 maps bytes to characters one to one: text edits keep the bytes they do not touch.
  const edit = (from: RegExp | string, to: string): Buffer =>
    Buffer.from(line.toString('latin1').replace(from, to), 'latin1')
  switch (int(random, 8)) {
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
      return edit(/"([^"]*)"/, `"$1${pick(random, ESCAPES)}"`)
    case 4:
      return edit(/: *"[^"]*"/, `: ${pick(random, OTHER_VALUES)}`)
    case 5: // an empty or blank url, or one more url member
      return edit(
        '{',
        pick(random, ['{"url": "",', '{"url": "again", ', '{"url":"",  ', '{"url": "  ", '])
      )
    case 6:
      return edit(/"url"/g, '"link"')
    default:
      return pick(random, [
        Buffer.from('{}'),
        Buffer.concat([Buffer.from('{"url": "x", "n": '), line, Buffer.from('}')]),
        Buffer.concat([Buffer.from('['), line, Buffer.from(']')])
      ])
  }
}

function nearPlainLine(random: Random): Buffer {
  let line = plainLine(random)
  for (let k = random() < 0.4 ? 0 : 1 + int(random, 2); k > 0; k--) line = mutate(random, line)
  return line
}

function randomFile(random: Random): Buffer {
  const parts: Buffer[] = []
  for (let n = 1 + int(random, 30); n > 0; n--) {
    parts.push(nearPlainLine(random), Buffer.from(random() < 0.2 ? '\r\n' : '\n'))
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

describe('fast path: random lines near the plain shape', () => {
  it('accepts only lines the checker accepts alone, one item each', () => {
    const random = prng(20261126)
    let accepted = 0
    let refused = 0
    for (let n = 0; n < 12000; n++) {
      const line = nearPlainLine(random)
      // The checker hands the fast path whole lines of well-formed UTF-8 only.
      if (line.includes(0x0a) || !isUtf8(line)) continue
      const data = Buffer.concat([line, Buffer.from('\n')])
      if (fastRun(data).accepted === 0) {
        refused++
        continue
      }
      accepted++
      expect({ line: line.toString(), result: check(scalarPath(), data) }).toEqual({
        line: line.toString(),
        result: { items: 1, lines: 1, badLines: 0, problems: [] }
      })
    }
    // Both sides of the line must be well covered, or the test proves little.
    expect(accepted).toBeGreaterThan(4000)
    expect(refused).toBeGreaterThan(4000)
  })

  it('leaves every answer of the checker unchanged, for any chunking', () => {
    const random = prng(1126)
    const fast = counted(fastPath())
    let bad = 0
    for (let round = 0; round < 1000; round++) {
      const file = randomFile(random)
      const expected = check(scalarPath(), file)
      const context = `round ${round}: ${JSON.stringify(file.toString('latin1'))}`
      expect({ context, result: check(fast, file) }).toEqual({ context, result: expected })
      const cuts = randomCuts(random, file.length)
      expect({ context, cuts, result: check(fast, file, cuts) }).toEqual({
        context,
        cuts,
        result: expected
      })
      expect({ context, cuts, result: check(scalarPath(), file, cuts) }).toEqual({
        context,
        cuts,
        result: expected
      })
      bad += expected.badLines
    }
    expect(fast.total).toBeGreaterThan(6000)
    expect(bad).toBeGreaterThan(5000)
  })
})
