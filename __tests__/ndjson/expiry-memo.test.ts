import { ExpiryMemo, queryKey } from '../../src/ndjson/expiry-memo.js'
import { QUERY_BYTES, signatureExpiry } from '../../src/ndjson/signed-url.js'
import { prng } from '../support/prng.js'
import { signedUrls } from '../support/signed-urls.js'

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]

const HOUR = 3_600_000
const NOW = Math.floor(Date.now() / 1000) * 1000

const key = (url: string): string | undefined => {
  const bytes = Buffer.from(url)
  return queryKey(bytes, 0, bytes.length)
}

/** Edits of a signed url's query, near each rule the memo's key relies on. */
const EDITS: Array<(url: string, random: Random) => string> = [
  // Another signature value: the same key.
  (url, random) => url.replace(/(ignature|sig)=[^&#]*/i, `$1=${random().toString(36).slice(2)}`),
  url => `${url}&Signature=other`,
  url => `${url}&sig=other`,
  url => `${url}&SIGNATURE=x`,
  url => `${url}&x-amz-signature=x`,
  url => `${url}&%53ignature=x`,
  // The parts it must not leave out.
  url => url.replace('?', '#?'),
  (url, random) => {
    const at = url.indexOf('?') + 1 + Math.floor(random() * (url.length - url.indexOf('?')))
    return `${url.slice(0, at)}#${url.slice(at)}`
  },
  url => url.replace(/(X-Amz-Date|X-Goog-Date|Expires|se)=/, '$1=2'),
  url => url.replace(/(X-Amz-Expires|X-Goog-Expires)=\d+/, '$1=60'),
  url => `${url}&Expires=1`,
  url => `${url}&se=2001-01-01`,
  url => `${url}&Signature`,
  url => `${url}&=x`,
  url => url.replace('?', `?pad=${'p'.repeat(QUERY_BYTES - 40)}&`),
  url => url.replace('?', `?pad=${'p'.repeat(QUERY_BYTES)}&`),
  url => url.replace(/&[^&]*ignature=[^&]*/i, ''),
  url => url.replace('https://', 'HTTP://')
]

/** A signed url of some family and expiry, edited a few times. */
function randomUrl(random: Random): string {
  const expiresAt = NOW + pick(random, [-HOUR, HOUR / 2, 2 * HOUR, 48 * HOUR])
  let url = pick(random, signedUrls(expiresAt))[1]
  for (let n = Math.floor(random() * 3); n > 0; n--) url = pick(random, EDITS)(url, random)
  return url
}

describe('ExpiryMemo', () => {
  it('gives what signatureExpiry() gives, url after url', () => {
    const random = prng(2121)
    const memo = new ExpiryMemo()
    const urls: string[] = []
    for (let n = 0; n < 400; n++) urls.push(randomUrl(random))
    // Each again, in another order: most are then remembered ones.
    urls.push(...[...urls].sort(() => random() - 0.5))
    let expiring = 0
    for (const url of urls) {
      const bytes = Buffer.from(`{"url": ${JSON.stringify(url)}}`)
      const from = 9
      const got = memo.expiry(bytes, from, from + Buffer.byteLength(url))
      const expected = signatureExpiry(url)
      expect({ url, got }).toEqual({ url, got: expected })
      if (expected !== undefined) expiring++
    }
    expect(expiring).toBeGreaterThan(300)
  })
})

describe('queryKey', () => {
  const aws = signedUrls(NOW)[0][1]

  it('is the same for urls that differ only in their path or their signatures', () => {
    const other = aws
      .replace('/test.txt', '/other.txt')
      .replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=0')
    expect(key(other)).toBe(key(aws))
    expect(key(`${aws}&sig=a`)).toBe(key(`${aws}&sig=b`))
  })

  it('differs for urls whose query differs elsewhere', () => {
    expect(key(aws.replace('X-Amz-Expires=3600', 'X-Amz-Expires=3601'))).not.toBe(key(aws))
    expect(key(`${aws}&Sig=a`)).not.toBe(key(`${aws}&Sig=b`))
    expect(key(`${aws}#Signature=a`)).not.toBe(key(`${aws}#Signature=b`))
  })

  it('is not given where signatureExpiry() would not read the query whole', () => {
    expect(key(aws.replace('?', '#?'))).toBeUndefined()
    expect(key(`${aws}&pad=${'p'.repeat(QUERY_BYTES)}`)).toBeUndefined()
  })
})
