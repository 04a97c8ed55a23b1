import { NdjsonChecker, type NdjsonCheck } from '../../src/ndjson/check.js'
import { scalarPath } from '../../src/ndjson/fast-path.js'
import { prng } from '../support/prng.js'
import {
  crOnly,
  gzip,
  items,
  joinedWithBoms,
  LFS_POINTER,
  ndjson,
  powershellJson,
  prettyArray,
  prettyObjects,
  utf16be,
  utf16le,
  zip
} from '../support/wrong-format.js'

type Random = () => number

function check(data: string | Uint8Array): NdjsonCheck {
  const checker = new NdjsonChecker()
  checker.push(typeof data === 'string' ? Buffer.from(data) : data)
  return checker.finish()
}

/**
 * The check of `data`, which must be the same whether it is pushed whole, in random chunks
 * (of up to 1, 7, 100 and 5000 bytes) or on the JavaScript path alone: the checker streams.
 */
function checkAnyhow(data: string | Uint8Array, random: Random = prng(7)): NdjsonCheck {
  const bytes = Buffer.from(data)
  const whole = check(bytes)
  for (const max of [1, 7, 100, 5000]) {
    const checker = new NdjsonChecker()
    for (let at = 0; at < bytes.length;) {
      const to = Math.min(bytes.length, at + 1 + Math.floor(random() * max))
      checker.push(bytes.subarray(at, to))
      at = to
    }
    expect({ max, result: checker.finish() }).toEqual({ max, result: whole })
  }
  const scalar = new NdjsonChecker(scalarPath())
  scalar.push(bytes)
  expect(scalar.finish()).toEqual(whole)
  return whole
}

const UTF16 =
  'is UTF-16 text (as Windows PowerShell 5.1 writes it); save it as UTF-8 without a byte-order mark: in Windows PowerShell 5.1 `[IO.File]::WriteAllLines($path, $lines)`, in PowerShell 7 `Set-Content -Encoding utf8NoBOM`'
const UTF16BE =
  'is UTF-16 big-endian text; save it as UTF-8 without a byte-order mark: in Windows PowerShell 5.1 `[IO.File]::WriteAllLines($path, $lines)`, in PowerShell 7 `Set-Content -Encoding utf8NoBOM`'
const GZIP =
  'is gzip-compressed twice (the NDJSON in it is gzip again); compress the NDJSON only once'
const ZIP = 'is a zip archive; upload the NDJSON file in it, unzipped or gzip-compressed'
const compressed = (format: string): string =>
  `is ${format}-compressed; upload the NDJSON uncompressed, or gzip-compressed (\`gzip items.ndjson\`)`
const BINARY = 'is binary, not text; upload an NDJSON file (UTF-8 text, one JSON object per line)'
const LFS =
  'is a Git LFS pointer, not the file; check out with `lfs: true` (actions/checkout), or run `git lfs pull`'
const ARRAY = "is one JSON array, not NDJSON; write one object per line (e.g. `jq -c '.[]'`)"
const CR_ONLY =
  'ends its lines with CR alone (classic Mac OS line ends), so it reads as one line; end each line with LF or CRLF'
const pretty = (line: number): string =>
  `holds JSON objects written over several lines (pretty-printed), the first from line ${line}; write each object on one line (e.g. \`jq -c .\`)`

function randomBytes(random: Random, n: number): Buffer {
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

const good = ndjson(items(20))

describe('file causes: told from the first bytes', () => {
  const png = (random: Random): Buffer =>
    Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      randomBytes(random, 3000)
    ])
  it.each([
    ['UTF-16LE with a BOM (PowerShell 5.1 `>`)', utf16le(good), UTF16],
    ['UTF-16LE without a BOM', utf16le(good, false), UTF16],
    ['UTF-16LE with non-Latin file names', utf16le(good.replace(/images/g, '写真'), false), UTF16],
    ['UTF-16LE of a pretty-printed array', utf16le(prettyArray(items(3))), UTF16],
    ['UTF-16BE with a BOM', utf16be(good), UTF16BE],
    ['UTF-16BE without a BOM', utf16be(good, false), UTF16BE],
    ['UTF-16LE of one short line', utf16le('{"url": "x"}\n', false), UTF16],
    // The scan decompresses a gzip file: the checker sees gzip only inside a gzip.
    ['gzip of good NDJSON', gzip(good), GZIP],
    ['gzip of one line', gzip('{"url":"x"}\n'), GZIP],
    ['a zip holding good NDJSON', zip('items.ndjson', good), ZIP],
    ['a PNG image', png(prng(1)), BINARY],
    ['random bytes', randomBytes(prng(2), 5000), BINARY],
    [
      'an xz archive',
      Buffer.concat([Buffer.from('fd377a585a000004e6d6b446', 'hex'), randomBytes(prng(3), 400)]),
      compressed('xz')
    ],
    [
      'a zstd frame',
      Buffer.concat([Buffer.from('28b52ffd0458', 'hex'), randomBytes(prng(4), 400)]),
      compressed('zstd')
    ],
    [
      'a bzip2 stream',
      Buffer.concat([Buffer.from('BZh91AY&SY'), randomBytes(prng(5), 400)]),
      compressed('bzip2')
    ],
    ['a Git LFS pointer', LFS_POINTER, LFS],
    ['a Git LFS pointer with CRLF', LFS_POINTER.replace(/\n/g, '\r\n'), LFS]
  ])('%s', (_name, data, message) => {
    const result = checkAnyhow(data)
    expect(result.badLines).toBeGreaterThan(0)
    expect(result.cause).toEqual({ message })
  })
})

describe('file causes: told from the shape', () => {
  it.each([
    ['a pretty-printed array', prettyArray(items(5)), ARRAY],
    ['a one-line array', `${JSON.stringify(items(5))}\n`, ARRAY],
    ['a one-line array without a final newline', JSON.stringify(items(2)), ARRAY],
    [
      'an array of compact objects, one a line',
      `[\n${items(4)
        .map(i => JSON.stringify(i))
        .join(',\n')}\n]\n`,
      ARRAY
    ],
    [
      'an array after blank lines, with blanks after it',
      `\n  \r\n${prettyArray(items(2))}\n\n  `,
      ARRAY
    ],
    ['PowerShell 5.1 ConvertTo-Json of a list (BOM, CRLF)', powershellJson(items(3)), ARRAY],
    ['an empty array', '[]\n', ARRAY],
    ['CR-only line ends', crOnly(items(5)), CR_ONLY],
    ['CR-only line ends, pretty-printed', prettyObjects(items(3)).replace(/\n/g, '\r'), CR_ONLY]
  ])('%s', (_name, data, message) => {
    const result = checkAnyhow(data)
    expect(result.badLines).toBeGreaterThan(0)
    expect(result.cause).toEqual({ message })
  })

  it.each([
    ['pretty-printed objects', prettyObjects(items(4)), 1],
    ['pretty-printed objects with CRLF', prettyObjects(items(4)).replace(/\n/g, '\r\n'), 1],
    ['one pretty-printed object', prettyObjects(items(1)), 1],
    ['pretty-printed objects after good lines', ndjson(items(3)) + prettyObjects(items(2)), 4],
    ['objects with the first member on the brace line', '{"url": "a",\n  "kind": "Image"\n}\n', 1],
    ['PowerShell 5.1 ConvertTo-Json of one object (BOM, CRLF)', powershellJson(items(1)[0]), 1]
  ])('%s', (_name, data, line) => {
    const result = checkAnyhow(data)
    expect(result.cause).toEqual({ message: pretty(line), line })
  })
})

describe('file causes: files that are not one, with their line problems as before', () => {
  it.each([
    ['a good file', good],
    ['a good file with CRLF', good.replace(/\n/g, '\r\n')],
    ['a good file with blank lines and no final newline', `\n${good}\n  \n{"url": "x"}`]
  ])('%s has neither bad lines nor a cause', (_name, data) => {
    expect(checkAnyhow(data)).toEqual({
      items: expect.any(Number),
      lines: expect.any(Number),
      badLines: 0,
      problems: []
    })
  })

  it.each([
    ['a normal file with one bad line', `${good}{"url": 5}\n${good}`],
    ['a file whose first line is an array and the rest objects', `[1, 2]\n${good}`],
    ['lines that each hold an array', '[1, 2]\n[3]\n["a"]\n'],
    ['a CRLF file with a bad line', `${good}{"url": "x",}\r\n${good}`.replace(/\n/g, '\r\n')],
    ['a tab-indented object on one line', `${good}\t{"url": "x", "kind": 3}\n`],
    ['an indented bad object on one line', `  {"url": ""}\n${good}`],
    ['a truncated last line', `${good}{"url": "x",\n`],
    ['an object cut over two lines', `${good}{"url": "x",\n"kind": "y"}\n${good}`],
    ['a stray "}" line after a good file', `${good}}\n`],
    ['two objects on line 1, separated by a space', `{"url": "a"} {"url": "b"}\n${good}`],
    ['a NUL in a string', `${good}{"url": "a\u0000"}\n`],
    ['a few control bytes', `{"url": "\u0001\u0002\u0003"}\n${good}`],
    ['Latin-1 text', Buffer.from(`{"url": "https://x/caf\u00e9.jpg"}\n`, 'latin1')],
    ['a line starting with "version"', 'version 2\n{"url": "x"}\n'],
    ['a UTF-8 BOM, then good lines', `\ufeff${good}`]
  ])('%s', (_name, data) => {
    const result = checkAnyhow(data)
    expect(result.badLines).toBeGreaterThan(0)
    expect(result.cause).toBeUndefined()
  })
})

describe('line problems named by their cause', () => {
  const joined = (column: number): string =>
    `not valid JSON: byte-order mark (U+FEFF) at column ${column}, likely from joining files that each start with one (e.g. with cat); save them as UTF-8 without BOM before joining, or delete it`
  const word = (name: string, column: number): string =>
    `not valid JSON: ${name} at column ${column}; JSON has no such value (Python's json.dumps writes it): write null instead`

  it('a byte-order mark at the start of a later line: files joined with cat', () => {
    const a = ndjson(items(2))
    const result = checkAnyhow(joinedWithBoms(a, ndjson(items(2))))
    expect(result.cause).toBeUndefined()
    expect(result.problems).toEqual([
      {
        line: 1,
        column: 1,
        message: 'starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM'
      },
      { line: 3, column: 1, message: joined(1) }
    ])
  })

  it('a byte-order mark inside a line: a file without a final newline joined to one', () => {
    const result = checkAnyhow(Buffer.from('{"url":"a"}\n{"url":"b"}\ufeff{"url":"c"}\n'))
    expect(result.problems).toEqual([{ line: 2, column: 12, message: joined(12) }])
  })

  it('a byte-order mark inside a string is text like any other', () => {
    expect(checkAnyhow('{"url": "\ufeffx", "kind": "\ufeff"}\n').badLines).toBe(0)
  })

  it.each([
    ['{"url": "x", "score": NaN}', word('NaN', 23)],
    ['{"url": "x", "score": Infinity}', word('Infinity', 23)],
    ['{"url": "x", "score": -Infinity}', word('-Infinity', 23)],
    ['{"url": "x", "scores": [1.5, NaN, -Infinity]}', word('NaN', 30)],
    ['{"url": "x", "scores": [NaN]}', word('NaN', 25)],
    ['{"url": "x", "score":NaN}', word('NaN', 22)],
    ['NaN', word('NaN', 1)],
    ['{"url": "x", "score": Nan}', 'not valid JSON: unexpected "N" at column 23'],
    ['{"url": "x", "score": None}', 'not valid JSON: unexpected "N" at column 23'],
    ['{"url": "x", "score": Inf}', 'not valid JSON: unexpected "I" at column 23'],
    ['{"url": "x", "score": -Inf}', 'not valid JSON: unexpected "I" at column 24'],
    ['{"url": "x", "score": -NaN}', 'not valid JSON: unexpected "N" at column 24'],
    ['{"url": "x"} NaN', 'not valid JSON: unexpected "N" after the end of the object at column 14'],
    ['{"url": "x", NaN: 1}', 'not valid JSON: unexpected "N" at column 14']
  ])('%s', (line, message) => {
    const data = Buffer.from(`${line}\n`)
    // Cut at every place, so the word is split anywhere.
    for (let cut = 1; cut < data.length; cut++) {
      const checker = new NdjsonChecker()
      checker.push(data.subarray(0, cut))
      checker.push(data.subarray(cut))
      expect({ cut, problems: checker.finish().problems.map(p => p.message) }).toEqual({
        cut,
        problems: [message]
      })
    }
    expect(checkAnyhow(data).problems[0].column).toBe(Number(/column (\d+)/.exec(message)?.[1]))
  })

  it('names a word at the end of a file without a final newline', () => {
    expect(check('{"url": "x", "a": NaN').problems.map(p => p.message)).toEqual([word('NaN', 19)])
  })

  it.each([
    ['" "'],
    ['"   "'],
    ['"\\t"'],
    ['"\\n"'],
    ['"\\r"'],
    ['" \\t \\r\\n "'],
    ['"\\u0020"'],
    ['"\\u0009\\u000A\\u000d"'],
    ['" \\u0020 "']
  ])('a url of only whitespace, %s, is refused like an empty one', value => {
    const message = '"url" must be a non-empty string, found a string of only whitespace'
    const data = Buffer.from(`{"url": "ok"}\n{"kind": "Image", "url": ${value}}\n{"url": "ok"}\n`)
    for (let cut = 1; cut < data.length; cut++) {
      const checker = new NdjsonChecker()
      checker.push(data.subarray(0, cut))
      checker.push(data.subarray(cut))
      expect({ cut, problems: checker.finish().problems }).toEqual({
        cut,
        problems: [{ line: 2, message }]
      })
    }
  })

  it.each([
    ['" x"'],
    ['"x "'],
    ['"   x"'],
    ['"\\u00a0"'],
    ['"\\u0041"'],
    ['" \\/"'],
    ['"\u00a0"'],
    ['"\u3000"'],
    ['" é"']
  ])('a url with more than whitespace, %s, is accepted', value => {
    const data = `{"url": "ok"}\n{"kind": "Image", "url": ${value}}\n`
    expect(checkAnyhow(data)).toEqual({ items: 2, lines: 2, badLines: 0, problems: [] })
  })

  it('an empty url is still called empty, and the last url counts', () => {
    const messages = (text: string): string[] => check(text).problems.map(p => p.message)
    expect(messages('{"url": ""}\n')).toEqual([
      '"url" must be a non-empty string, found an empty string'
    ])
    expect(messages('{"url": " ", "url": "x"}\n{"url": "x", "url": " "}\n')).toEqual([
      '"url" must be a non-empty string, found a string of only whitespace'
    ])
  })
})
