import { jest } from '@jest/globals'
import { urlFacts } from '../../src/ndjson/url-facts.js'

// The collision test hashes half a million urls: 1.5 s on a quiet machine, several times that
// with both cores busy.
jest.setTimeout(120_000)

const facts = (url: string) => urlFacts(Buffer.from(url))
const hashOf = (url: string | Buffer): string => {
  const { hashLo, hashHi } = urlFacts(Buffer.from(url))
  return `${hashLo}:${hashHi}`
}

describe('urlFacts: web urls', () => {
  it.each([
    'https://example.com/a.jpg',
    'http://example.com',
    'HTTP://EXAMPLE.COM/A.JPG',
    'HtTpS://h',
    'https://h?x=1',
    'https://h#f',
    'http://user:pw@host/x',
    'http://a@b@c/',
    'http://@host/',
    'http://host:8080/x',
    'http://host:/x',
    'http://a:b:80/',
    'http://:abc/',
    'http://[::1]:80/',
    'http://80/',
    'https://h/a@b',
    'https://例え.jp/画像.jpg',
    'https://h/\u007f'
  ])('%s is one', url => {
    expect(facts(url).web).toBe(true)
  })

  it.each([
    ['', 'empty'],
    ['http:///x', 'an empty host'],
    ['http://', 'nothing after the scheme'],
    ['https://', 'nothing after the scheme'],
    ['http://?q', 'an empty host before a query'],
    ['http://#f', 'an empty host before a fragment'],
    ['http://:80/', 'a port only'],
    ['http://:/', 'an empty port only'],
    ['http://user@/x', 'user info only'],
    ['http://@', 'user info only'],
    ['https:/x', 'one slash'],
    ['https:x', 'no slash'],
    ['htp://x', 'another scheme'],
    ['ftp://x/y', 'another scheme'],
    ['xhttp://a', 'a scheme that ends in http'],
    ['http', 'a scheme alone'],
    ['s3://bucket/key', 'S3'],
    ['gs://bucket/key', 'Cloud Storage'],
    ['file:///tmp/x.jpg', 'a file url'],
    ['data:image/png;base64,AAAA', 'a data url'],
    ['/relative/path.jpg', 'a path'],
    ['relative.jpg', 'a file name'],
    [' https://h/a.jpg', 'a leading space'],
    ['https://h/a b.jpg', 'a space'],
    ['https://h/a.jpg ', 'a trailing space'],
    ['https://h\t/', 'a tab'],
    ['https://h/\n', 'a line feed'],
    ['https\u0000://h', 'a NUL']
  ])('%j is not one: %s', url => {
    expect(facts(url).web).toBe(false)
  })
})

describe('urlFacts: query', () => {
  it.each([
    ['https://h/x?X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600', true],
    ['https://h/#?', true],
    ['?', true],
    ['https://h/x', false],
    ['', false]
  ])('%j: %s', (url, query) => {
    expect(facts(url).query).toBe(query)
  })
})

describe('urlFacts: hash', () => {
  it('is the same for the same bytes, as two int32', () => {
    const { hashLo, hashHi } = facts('https://example.com/a.jpg')
    expect(facts('https://example.com/a.jpg')).toMatchObject({ hashLo, hashHi })
    expect([hashLo | 0, hashHi | 0]).toEqual([hashLo, hashHi])
  })

  it('tells apart urls that differ only in trailing zero bytes', () => {
    const urls = [
      '',
      '\u0000',
      'a',
      'a\u0000',
      'a\u0000\u0000',
      'x'.repeat(16),
      `${'x'.repeat(16)}\u0000`
    ]
    expect(new Set(urls.map(url => hashOf(url))).size).toBe(urls.length)
  })

  it('tells apart the same 16-byte blocks in another order', () => {
    const a = 'https://h.io/abc'
    const b = '/0123456789.jpg?'
    expect(hashOf(a + b + a)).not.toBe(hashOf(a + a + b))
    expect(hashOf(b + a)).not.toBe(hashOf(a + b))
  })

  // 524,288 urls whose two numbers sit 16 bytes apart, so in the same lane of two blocks, and
  // include each other's swaps: a hash with 32 bits per lane would have some 32 collisions here
  // (n² / 2^33), as each 32-bit half of a good 64-bit hash has.
  it('has no collision among urls that differ in one lane of two blocks', () => {
    const pad = (n: number): string => String(n).padStart(6, '0')
    const whole = new Set<string>()
    const low = new Set<number>()
    const high = new Set<number>()
    let n = 0
    for (let a = 0; a < 1024; a++) {
      for (let b = 0; b < 512; b++) {
        const { hashLo, hashHi } = facts(`https://h.io/${pad(a)}/abcdefghi${pad(b)}.jpg`)
        whole.add(`${hashLo}:${hashHi}`)
        low.add(hashLo)
        high.add(hashHi)
        n++
      }
    }
    expect(whole.size).toBe(n)
    expect(n - low.size).toBeLessThan(70)
    expect(n - high.size).toBeLessThan(70)
  })
})
