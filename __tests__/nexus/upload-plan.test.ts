import { describe, expect, test } from '@jest/globals'
import { UploadError } from '../../src/shared/errors.js'
import type { UploadUrl } from '../../src/nexus/types.js'
import { planUpload } from '../../src/nexus/upload-plan.js'

const API = new URL('https://api.datature.io')
const LOOPBACK_API = new URL('http://127.0.0.1:8787')
const SIGNED = 'https://storage.googleapis.com/b/o?X-Goog-Signature=abc123'

function signed(overrides: Partial<UploadUrl> = {}): UploadUrl {
  return {
    method: 'PUT',
    url: SIGNED,
    headers: {
      'content-length': '10',
      'content-type': 'application/x-ndjson',
      'x-goog-hash': 'crc32c=AAAAAA==',
      'x-goog-if-generation-match': '0'
    },
    ...overrides
  }
}

function refusal(uploadUrl: UploadUrl, api = API): UploadError {
  try {
    planUpload(uploadUrl, 10, api)
  } catch (error) {
    expect(error).toBeInstanceOf(UploadError)
    return error as UploadError
  }
  throw new Error('the upload URL was accepted')
}

describe('planUpload: the request is the action’s', () => {
  test('takes the signed object headers, adds nothing of the API’s', () => {
    const plan = planUpload(signed(), 10, API)
    expect(plan.url.href).toBe(SIGNED)
    expect(plan.headers).toEqual({
      'content-length': '10',
      'content-type': 'application/x-ndjson',
      'x-goog-hash': 'crc32c=AAAAAA==',
      'x-goog-if-generation-match': '0'
    })
  })

  test('adds the file’s Content-Length when the URL does not sign one', () => {
    const plan = planUpload(signed({ headers: { 'x-goog-hash': 'crc32c=AAAAAA==' } }), 10, API)
    expect(plan.headers['content-length']).toBe('10')
  })

  test.each(['POST', 'put', 'GET', ''])('method %j is refused', method => {
    expect(refusal(signed({ method })).message).toMatch(
      /asks for method .*only with PUT\. Nothing was sent\./
    )
  })

  test.each([
    'host',
    'Host',
    'transfer-encoding',
    'connection',
    'keep-alive',
    'upgrade',
    'te',
    'trailer',
    'expect',
    'authorization',
    'cookie',
    'secret-key',
    'proxy-authorization',
    'Proxy-Connection'
  ])('header %s is refused by name', name => {
    const error = refusal(signed({ headers: { 'content-length': '10', [name]: 'x' } }))
    expect(error.message).toContain(
      `sets the header ${name.toLowerCase()}, which only the action decides`
    )
    expect(error.advice?.kind).toBe('badUploadUrl')
  })

  test('a header outside the allow-list is refused, named', () => {
    expect(refusal(signed({ headers: { 'x-forwarded-for': '1.2.3.4' } })).message).toContain(
      'asks for the header x-forwarded-for, which a storage upload does not take'
    )
  })

  test('a header given twice in different case is refused', () => {
    expect(
      refusal(signed({ headers: { 'Content-Type': 'a', 'content-type': 'b' } })).message
    ).toContain('gives the header content-type twice')
  })

  test('a value no header can carry, or a name that is not a token, is refused', () => {
    expect(refusal(signed({ headers: { 'x-goog-meta-a': 'a\r\nx: y' } })).message).toContain(
      'that no header can carry'
    )
    expect(refusal(signed({ headers: { 'x-goog meta': 'a' } })).message).toContain(
      'not a header name'
    )
  })

  test('a Content-Length other than the file’s size is refused', () => {
    const error = refusal(signed({ headers: { 'content-length': '11' } }))
    expect(error.message).toContain('is signed for "11" bytes, but the file has 10')
    expect(error.advice?.kind).toBe('badUploadUrl')
  })

  test('plain http only between loopback hosts, and only when the API is on loopback', () => {
    const http = signed({ url: 'http://127.0.0.1:9/b/o?X-Goog-Signature=abc' })
    expect(planUpload(http, 10, LOOPBACK_API).url.protocol).toBe('http:')
    expect(refusal(http, API).message).toMatch(/uses "http:"; only https:\/\/ is accepted/)
    expect(refusal(signed({ url: 'http://storage.example/b/o' }), LOOPBACK_API).message).toMatch(
      /only https:\/\//
    )
  })

  test('a URL with credentials, or no URL, is refused without quoting it', () => {
    for (const url of ['https://u:p@storage.googleapis.com/b/o', 'not a url']) {
      const error = refusal(signed({ url }))
      expect(error.message).not.toContain(url)
    }
  })
})
