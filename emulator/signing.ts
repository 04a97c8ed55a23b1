/**
 * Signed upload URLs in the shape of GCS V4 signing (X-Goog-* query parameters), with an
 * emulator-private HMAC key. The signature covers the method, the raw path, every query
 * parameter but the signature (so the date and expiry too) and the values of the signed
 * headers; changing any of them breaks it, as on the real storage host.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Reply, WireUploadUrl } from './types.js'
import { storageError } from './http.js'

export const BUCKET = 'nexus-uploads'
export const OBJECT_NAME = 'dataset.ndjson'
const ALGORITHM = 'GOOG4-HMAC-SHA256'
const SIGNER = 'nexus-uploader@nexus-emulator.iam.gserviceaccount.com'
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your Google secret key and signing method.'

/** What one URL was signed for. Kept after the dataset is deleted, to tell 404 from 403. */
export interface SignedTarget {
  method: string
  rawPath: string
  headers: Record<string, string>
  datasetId: string
}

export type UrlCheck =
  | { ok: true; target: SignedTarget; signedHeaders: string[]; expiresAt: number }
  | { ok: false; reply: Reply }

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    c => '%' + c.charCodeAt(0).toString(16).toUpperCase()
  )
}

/** `YYYYMMDDTHHMMSSZ`, the X-Goog-Date form. */
function googDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function parseGoogDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  return Number.isNaN(ms) ? undefined : ms
}

function canonicalQuery(params: [string, string][]): string {
  return params
    .filter(([name]) => name !== 'X-Goog-Signature')
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .sort()
    .join('&')
}

export class UrlSigner {
  private readonly key = randomBytes(32)
  private readonly targets = new Map<string, SignedTarget>()

  constructor(private readonly origin: string) {}

  /** Signs a URL for `target`, valid from `now` for at least `ttlMs`. */
  sign(target: SignedTarget, now: number, ttlMs: number): WireUploadUrl {
    this.targets.set(target.rawPath, target)
    const dateSec = Math.floor(now / 1000)
    // Whole seconds, like X-Goog-Expires; rounded up so the URL lives at least ttlMs.
    const expiresSec = Math.max(1, Math.ceil((now + ttlMs) / 1000) - dateSec)
    const date = googDate(dateSec * 1000)
    const names = Object.keys(target.headers).sort()
    const params: [string, string][] = [
      ['X-Goog-Algorithm', ALGORITHM],
      ['X-Goog-Credential', `${SIGNER}/${date.slice(0, 8)}/auto/storage/goog4_request`],
      ['X-Goog-Date', date],
      ['X-Goog-Expires', String(expiresSec)],
      ['X-Goog-SignedHeaders', names.join(';')]
    ]
    const signature = this.signature(target.method, target.rawPath, params, names, target.headers)
    params.push(['X-Goog-Signature', signature])
    const search = params.map(([n, v]) => `${n}=${rfc3986(v)}`).join('&')
    return {
      method: target.method,
      url: `${this.origin}${target.rawPath}?${search}`,
      headers: { ...target.headers },
      expiresAtTime: (dateSec + expiresSec) * 1000
    }
  }

  /**
   * Checks the URL itself: the parameters, then the signature as issued (so a changed
   * path, expiry or parameter fails here, whatever the request's headers are).
   * The method, expiry and headers are the caller's next steps, in GCS's order.
   */
  checkUrl(rawPath: string, search: string): UrlCheck {
    const deny = (details: string): UrlCheck => ({
      ok: false,
      reply: storageError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH, details)
    })
    const query = new URLSearchParams(search)
    const params = [...query]
    const seen = new Set<string>()
    for (const [name] of params) {
      if (seen.has(name)) return deny(`Query parameter ${name} appears more than once.`)
      seen.add(name)
    }
    const algorithm = query.get('X-Goog-Algorithm')
    if (algorithm === null) return deny('Missing X-Goog-Algorithm.')
    if (algorithm !== ALGORITHM) return deny(`Unsupported X-Goog-Algorithm ${algorithm}.`)
    if (!query.get('X-Goog-Credential')) return deny('Missing X-Goog-Credential.')
    const date = parseGoogDate(query.get('X-Goog-Date') ?? '')
    if (date === undefined) return deny('Missing or malformed X-Goog-Date.')
    const expires = query.get('X-Goog-Expires') ?? ''
    if (!/^[1-9]\d{0,8}$/.test(expires)) return deny('Missing or malformed X-Goog-Expires.')
    const signedHeaders = query.get('X-Goog-SignedHeaders')
    if (!signedHeaders) return deny('Missing X-Goog-SignedHeaders.')
    const given = query.get('X-Goog-Signature') ?? ''
    if (!/^[0-9a-f]{64}$/.test(given)) return deny('Missing or malformed X-Goog-Signature.')

    const target = this.targets.get(rawPath)
    if (target === undefined) return deny(`No URL was signed for ${rawPath}.`)
    const names = signedHeaders.split(';')
    const expected = this.signature(target.method, rawPath, params, names, target.headers)
    if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'))) {
      return deny('The URL was changed after it was signed.')
    }
    return { ok: true, target, signedHeaders: names, expiresAt: date + Number(expires) * 1000 }
  }

  private signature(
    method: string,
    rawPath: string,
    params: [string, string][],
    headerNames: string[],
    headerValues: Record<string, string>
  ): string {
    const canonicalHeaders = headerNames.map(n => `${n}:${headerValues[n] ?? ''}\n`).join('')
    const canonicalRequest = [
      method,
      rawPath,
      canonicalQuery(params),
      canonicalHeaders,
      headerNames.join(';'),
      'UNSIGNED-PAYLOAD'
    ].join('\n')
    const date = params.find(([n]) => n === 'X-Goog-Date')?.[1] ?? ''
    const credential = params.find(([n]) => n === 'X-Goog-Credential')?.[1] ?? ''
    const scope = credential.slice(credential.indexOf('/') + 1)
    const stringToSign = [
      ALGORITHM,
      date,
      scope,
      createHash('sha256').update(canonicalRequest).digest('hex')
    ].join('\n')
    return createHmac('sha256', this.key).update(stringToSign).digest('hex')
  }
}
