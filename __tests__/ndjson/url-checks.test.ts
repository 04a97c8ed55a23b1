import { NdjsonChecker } from '../../src/ndjson/check.js'
import { fastPath, scalarPath, type FastPath } from '../../src/ndjson/fast-path.js'
import { MAX_URL_BYTES } from '../../src/ndjson/url-capture.js'
import {
  FIRST_URL_LINES,
  UrlChecks,
  nonWebReason,
  type UrlFindings
} from '../../src/ndjson/url-checks.js'
import { signedUrls } from '../support/signed-urls.js'

const HOUR = 3_600_000
const NOW = Math.floor(Date.now() / 1000) * 1000

/** The findings on `lines` (joined with '\n'), every signature to outlive NOW + 1 h. */
function findingsOf(
  lines: string[],
  options: { fast?: FastPath; tableBytes?: number } = {}
): UrlFindings {
  const checks = new UrlChecks(NOW + HOUR, options.tableBytes)
  const checker = new NdjsonChecker(options.fast ?? fastPath(), checks)
  checker.push(Buffer.from(`${lines.join('\n')}\n`))
  const check = checker.finish()
  expect(check.badLines).toBe(0)
  return checks.finish()
}

const item = (url: string): string => JSON.stringify({ url })

describe.each([
  ['the fast path', fastPath],
  ['the JavaScript path alone', scalarPath]
])('url checks, through %s', (_name, path) => {
  const findings = (lines: string[]): UrlFindings => findingsOf(lines, { fast: path() })

  it('finds each line whose url, as JSON decodes it, an earlier line had', () => {
    const found = findings([
      item('https://x/1.jpg'),
      '',
      item('https://x/2.jpg'),
      '{"url": "https:\\/\\/x\\/1.jpg", "kind": "Image"}',
      item('https://x/2.jpg'),
      item('https://x/1.jpg '),
      item('HTTPS://x/1.jpg'),
      item('https://x/1.jpg')
    ])
    expect(found.duplicates).toEqual({
      count: 3,
      first: [
        { line: 4, earlier: 1 },
        { line: 5, earlier: 3 },
        { line: 8, earlier: 1 }
      ]
    })
    expect(found.remembered).toBeUndefined()
  })

  it('finds every url that is not an http(s) URL with a host, and says what it is', () => {
    const urls = [
      's3://bucket/a.jpg',
      'gs://bucket/a.jpg',
      'file:///tmp/a.jpg',
      'images/a.jpg',
      '/data/a.jpg',
      'C:\\data\\a.jpg',
      'https://h/a b.jpg',
      'http:///a.jpg',
      'https:/h/a.jpg'
    ]
    const found = findings(['{"url": "https://x/ok.jpg"}', ...urls.map(item)])
    expect(found.nonWeb).toEqual({
      count: urls.length,
      first: urls.map((url, n) => ({ line: n + 2, url, why: nonWebReason(url) }))
    })
  })

  it('finds the signatures of each family that expire within the lifetime, not the others', () => {
    const expired = signedUrls(NOW - HOUR)
    const soon = signedUrls(NOW + HOUR / 2)
    const fresh = signedUrls(NOW + 2 * HOUR)
    const found = findings([...expired, ...fresh, ...soon].map(([, url]) => item(url)))
    const n = expired.length
    expect(found.expiring.count).toBe(2 * n)
    expect(found.expiring.first).toEqual(
      [
        ...expired.map(([scheme], k) => ({ line: k + 1, scheme, expiresAt: NOW - HOUR })),
        ...soon.map(([scheme], k) => ({ line: 2 * n + k + 1, scheme, expiresAt: NOW + HOUR / 2 }))
      ].slice(0, FIRST_URL_LINES)
    )
    expect(found.nonWeb.count).toBe(0)
  })

  it('counts every line but describes the first ten of each kind', () => {
    const lines = Array.from({ length: 25 }, () => item('s3://b/k'))
    const found = findings(lines)
    expect(found.nonWeb.count).toBe(25)
    expect(found.nonWeb.first.map(f => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(found.duplicates.count).toBe(24)
    expect(found.duplicates.first).toHaveLength(FIRST_URL_LINES)
  })
})

describe('url checks: limits', () => {
  it('compares the first items only once the table is full, and says how many', () => {
    // 3.2 MiB: each of the 512 lists' first chunk and a few more, some 250,000 urls.
    const n = 300_000
    const lines = Array.from({ length: n }, (_, k) => item(`https://h/${k}.jpg`))
    lines[10] = item('https://h/0.jpg')
    lines.push(item('https://h/1.jpg'))
    const found = findingsOf(lines, { tableBytes: 3.2 * 1024 * 1024 })
    const remembered = found.remembered ?? 0
    expect(remembered).toBeGreaterThan(150_000)
    expect(remembered).toBeLessThan(n)
    // Within the first items a repeat is found; past them, none is.
    expect(found.duplicates).toEqual({ count: 1, first: [{ line: 11, earlier: 1 }] })
  })

  it('takes a url longer than any storage serves as not a web url, and compares it with none', () => {
    const long = `https://h/${'a'.repeat(MAX_URL_BYTES)}`
    for (const fast of [fastPath(), scalarPath()]) {
      const found = findingsOf([item(long), item(long)], { fast })
      expect(found.duplicates.count).toBe(0)
      expect(found.nonWeb.count).toBe(2)
      expect(found.nonWeb.first[0]).toMatchObject({
        line: 1,
        why: 'it is longer than 1 MiB, more than any storage serves'
      })
      expect(found.nonWeb.first[0].url).toBe(long.slice(0, 200))
    }
  })
})

describe('nonWebReason', () => {
  it.each([
    ['s3://bucket/key', 'its scheme is s3:'],
    ['GS://bucket/key', 'its scheme is gs:'],
    ['file:///tmp/x.jpg', 'its scheme is file:'],
    ['data:image/png;base64,AAAA', 'its scheme is data:'],
    ['relative/a.jpg', 'it is a relative path, not an absolute URL'],
    ['/abs/a.jpg', 'it is a relative path, not an absolute URL'],
    ['C:\\data\\a.jpg', 'it is a Windows path, not a URL'],
    ['https://h/a b.jpg', 'it holds a space or a control character'],
    [' https://h/a.jpg', 'it holds a space or a control character'],
    ['https://h/\t', 'it holds a space or a control character'],
    ['http:///x', 'it has no host'],
    ['https://user@/x', 'it has no host'],
    ['https:x', 'it has no host']
  ])('%j: %s', (url, why) => {
    expect(nonWebReason(url)).toBe(why)
  })
})
