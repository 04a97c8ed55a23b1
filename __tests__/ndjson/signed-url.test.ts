import { QUERY_BYTES, signatureExpiry } from '../../src/ndjson/signed-url.js'
import {
  aws,
  azure,
  basic,
  CLOUDFRONT,
  cloudfrontPolicy,
  GCS_V2,
  gcs,
  policy,
  S3_V2,
  seconds
} from '../support/signed-urls.js'

const HOUR = 3_600_000

/** A time on a whole second, an hour ahead: what a fresh URL was signed to reach. */
const soon = Math.floor((Date.now() + HOUR) / 1000) * 1000
const past = Date.UTC(2013, 4, 25)

describe('signatureExpiry reads each family', () => {
  it('AWS SigV4: X-Amz-Date plus X-Amz-Expires, the AWS documentation example (expired)', () => {
    expect(signatureExpiry(aws('20130524T000000Z', '86400'))).toEqual({
      scheme: 'AWS SigV4',
      expiresAt: past
    })
  })

  it('AWS SigV4, fresh', () => {
    expect(signatureExpiry(aws(basic(soon - HOUR), '3600'))).toEqual({
      scheme: 'AWS SigV4',
      expiresAt: soon
    })
  })

  it('GCS V4: X-Goog-Date plus X-Goog-Expires, expired and fresh', () => {
    expect(signatureExpiry(gcs('20181026T181309Z', '900'))).toEqual({
      scheme: 'GCS V4',
      expiresAt: Date.UTC(2018, 9, 26, 18, 28, 9)
    })
    expect(signatureExpiry(gcs(basic(soon - 600_000), '600'))?.expiresAt).toBe(soon)
  })

  it('S3 V2, GCS V2 and CloudFront canned policies: Expires in epoch seconds', () => {
    expect(signatureExpiry(S3_V2('1141889120'))).toEqual({
      scheme: 'S3 V2',
      expiresAt: 1_141_889_120_000
    })
    expect(signatureExpiry(GCS_V2(String(seconds(soon))))).toEqual({
      scheme: 'GCS V2',
      expiresAt: soon
    })
    expect(signatureExpiry(CLOUDFRONT('1357034400'))).toEqual({
      scheme: 'CloudFront',
      expiresAt: 1_357_034_400_000
    })
  })

  it('CloudFront custom policies: DateLessThan of the Policy', () => {
    const statement = {
      Resource: 'https://d111111abcdef8.cloudfront.net/image.jpg',
      Condition: { DateLessThan: { 'AWS:EpochTime': seconds(soon) } }
    }
    expect(signatureExpiry(cloudfrontPolicy(policy(statement)))).toEqual({
      scheme: 'CloudFront',
      expiresAt: soon
    })
  })

  it('Azure SAS: se with sig, in each ISO 8601 form Azure takes', () => {
    const cases: Array<[string, number]> = [
      ['2019-04-30T02%3A23%3A26Z', Date.UTC(2019, 3, 30, 2, 23, 26)],
      ['2019-04-30T02:23:26Z', Date.UTC(2019, 3, 30, 2, 23, 26)],
      ['2019-04-30T02:23Z', Date.UTC(2019, 3, 30, 2, 23)],
      ['2019-04-30', Date.UTC(2019, 3, 30)],
      ['2019-04-30T02:23:26.1234567Z', Date.UTC(2019, 3, 30, 2, 23, 26, 123)],
      ['2019-04-30T04:23:26%2B02:00', Date.UTC(2019, 3, 30, 2, 23, 26)],
      ['2019-04-30T04:23:26+02:00', Date.UTC(2019, 3, 30, 2, 23, 26)],
      ['2019-04-30T00:23:26-02:00', Date.UTC(2019, 3, 30, 2, 23, 26)],
      [new Date(soon).toISOString(), soon]
    ]
    for (const [se, expiresAt] of cases) {
      expect([se, signatureExpiry(azure(se))]).toEqual([se, { scheme: 'Azure SAS', expiresAt }])
    }
  })

  it('takes parameter names in any case, and http as well as https', () => {
    const url = aws('20130524T000000Z', '86400')
      .replace('https:', 'HTTP:')
      .replace('X-Amz-Date', 'x-amz-date')
      .replace('X-Amz-Expires', 'X-AMZ-EXPIRES')
    expect(signatureExpiry(url)?.expiresAt).toBe(past)
    expect(signatureExpiry(S3_V2('1141889120').replace('Expires', 'expires'))?.scheme).toBe('S3 V2')
  })

  it('percent-decodes names and values, and reads no further than a fragment', () => {
    expect(signatureExpiry(aws('2013%30524T000000Z', '8640%30'))?.expiresAt).toBe(past)
    expect(signatureExpiry(azure('2019-04-30').replace('se=', '%73e='))?.scheme).toBe('Azure SAS')
    expect(
      signatureExpiry('https://a.example/x#?X-Amz-Date=20130524T000000Z&X-Amz-Expires=1')
    ).toBe(undefined)
    const cut = aws('20130524T000000Z', '86400').replace('&X-Amz-Expires', '#&X-Amz-Expires')
    expect(signatureExpiry(cut)).toBeUndefined()
  })
})

describe('signatureExpiry finds no expiry', () => {
  it('in URLs that are not signed', () => {
    for (const url of [
      'https://example.com/images/1.jpg',
      'https://example.com/images/1.jpg?',
      'https://example.com/images/1.jpg?width=200&height=100',
      'https://example.com/cache?expires=1700000000',
      'https://example.com/cache?Expires=1700000000&page=2',
      // A signature alone says nothing of which scheme, or of when.
      'https://example.com/cache?Expires=1700000000&Signature=abc',
      'https://example.com/x?se=2030-01-01&sp=r',
      'data:image/png;base64,iVBORw0KGgo?X-Amz-Date=20130524T000000Z&X-Amz-Expires=1',
      's3://bucket/key?X-Amz-Date=20130524T000000Z&X-Amz-Expires=1',
      '',
      '?'
    ]) {
      expect([url, signatureExpiry(url)]).toEqual([url, undefined])
    }
  })

  it('for malformed V4 dates and expiries', () => {
    for (const [date, expires] of [
      ['20130524T000000', '86400'],
      ['20130524000000Z', '86400'],
      ['2013-05-24T00:00:00Z', '86400'],
      ['20131324T000000Z', '86400'],
      ['20130230T000000Z', '86400'],
      ['20130524T240000Z', '86400'],
      ['20130524T006000Z', '86400'],
      ['00000524T000000Z', '86400'],
      ['2013O524T000000Z', '86400'],
      ['20130524T000000Z', '-1'],
      ['20130524T000000Z', '+60'],
      ['20130524T000000Z', '1.5'],
      ['20130524T000000Z', ''],
      ['20130524T000000Z', '604801'],
      ['20130524T000000Z', '99999999999999999999'],
      ['20130524T000000Z', '%ZZ'],
      ['', '86400']
    ]) {
      expect([date, expires, signatureExpiry(aws(date, expires))]).toEqual([
        date,
        expires,
        undefined
      ])
      expect(signatureExpiry(gcs(date, expires))).toBeUndefined()
    }
  })

  it('when a V4 signature lacks its date or its expiry', () => {
    const url = aws('20130524T000000Z', '86400')
    expect(signatureExpiry(url.replace('&X-Amz-Expires=86400', ''))).toBeUndefined()
    expect(signatureExpiry(url.replace('X-Amz-Date=20130524T000000Z&', ''))).toBeUndefined()
  })

  it('when a parameter is given twice with two values, but not when both agree', () => {
    const url = aws('20130524T000000Z', '86400')
    expect(signatureExpiry(`${url}&x-amz-expires=60`)).toBeUndefined()
    expect(signatureExpiry(`${url}&x-amz-expires=86400`)?.expiresAt).toBe(past)
  })

  it('for malformed epoch seconds', () => {
    for (const expires of [
      '',
      '-1357034400',
      '1357034400.5',
      '1e9',
      ' 1357034400',
      '999999999999'
    ]) {
      expect([expires, signatureExpiry(CLOUDFRONT(encodeURIComponent(expires)))]).toEqual([
        expires,
        undefined
      ])
    }
    expect(signatureExpiry(S3_V2('0'))?.expiresAt).toBe(0)
  })

  it('for malformed Azure times', () => {
    for (const se of [
      '2019-04-30T02:23:26',
      '2019/04/30',
      '2019-4-30',
      '2019-02-29',
      '2019-04-30T25:00Z',
      '2019-04-30T02:23:26.Z',
      '2019-04-30T02:23:26.12345678Z',
      '2019-04-30T02:23:26+2:00',
      '2019-04-30T02:23:26+15:00',
      '2019-04-30T02:23:26Zjunk',
      'tomorrow'
    ]) {
      expect([se, signatureExpiry(azure(encodeURIComponent(se)))]).toEqual([se, undefined])
    }
  })

  it('for CloudFront policies that do not decode or state no time', () => {
    const statement = (epoch: unknown): string =>
      policy({ Condition: { DateLessThan: { 'AWS:EpochTime': epoch } } })
    for (const param of [
      'not-base64-json',
      policy({ Condition: {} }),
      statement('1357034400'),
      statement(-1),
      statement(1.5),
      statement(1e21),
      Buffer.from('[1,2]').toString('base64')
    ]) {
      expect([param, signatureExpiry(cloudfrontPolicy(param))]).toEqual([param, undefined])
    }
  })
})

describe('signatureExpiry reads a bounded part of the query', () => {
  it('finishes at once on a query of a megabyte, and ignores parameters past the bound', () => {
    const padding = 'a=' + 'x'.repeat(1 << 20)
    const started = performance.now()
    expect(signatureExpiry(`${aws('20130524T000000Z', '86400')}&${padding}`)?.expiresAt).toBe(past)
    const late = `https://e.example/?${padding}&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400`
    expect(signatureExpiry(late)).toBeUndefined()
    const ampersands = `https://e.example/?${'&'.repeat(1 << 20)}`
    expect(signatureExpiry(ampersands)).toBeUndefined()
    // Generous: the bound makes it microseconds; reading a megabyte parameter by parameter would
    // still be quick, so the bound itself is pinned just below.
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('a signature just inside the bound counts, just past it does not', () => {
    const signed = 'X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400'
    const inside = `https://e.example/?p=${'x'.repeat(QUERY_BYTES - signed.length - 3)}&${signed}`
    expect(signatureExpiry(inside)?.expiresAt).toBe(past)
    expect(signatureExpiry(inside.replace('?p=', '?pp='))).toBeUndefined()
  })
})
