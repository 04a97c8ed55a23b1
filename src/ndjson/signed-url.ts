/**
 * When a signed item URL stops working: the expiry its query states, for the signing schemes of
 * the stores a dataset's items live in. Nexus fetches the items some time after the upload, so a
 * URL that expires before then reads as a missing image. Nothing here is trusted: a value that
 * does not parse, or states an expiry the scheme cannot have, gives no expiry rather than a
 * wrong one.
 */

export interface SignatureExpiry {
  /** The signing scheme, as a message names it: `AWS SigV4`, `Azure SAS`... */
  scheme: string
  /** Epoch milliseconds. */
  expiresAt: number
}

/**
 * How much of the query is read. Signed queries are a few hundred bytes (an AWS session token
 * makes them a few KiB), and a URL is outside text of any length: parameters past this are not
 * looked at, so a megabyte of query costs no more than this.
 */
export const QUERY_BYTES = 16 * 1024

/** AWS and Google refuse V4 URLs that live longer than a week. */
const MAX_V4_EXPIRES_SECONDS = 604_800
/** 9999-12-31T23:59:59Z: an epoch-seconds `Expires` past it is not a time. */
const MAX_EPOCH_SECONDS = 253_402_300_799

/** The parameters read, by lowercase name; the names are matched case-insensitively. */
const WANTED = new Set([
  'x-amz-date',
  'x-amz-expires',
  'x-goog-date',
  'x-goog-expires',
  'expires',
  'signature',
  'awsaccesskeyid',
  'googleaccessid',
  'key-pair-id',
  'policy',
  'se',
  'sig'
])

/**
 * The expiry of a signed URL, or undefined when the URL carries no signature with one (or a
 * malformed one). Recognised, each only with the parameters that make it a signature:
 * - AWS SigV4: `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`) plus `X-Amz-Expires` (seconds, at most a week);
 * - GCS V4: `X-Goog-Date` plus `X-Goog-Expires`, the same forms;
 * - S3 V2 (`AWSAccessKeyId` and `Signature`), GCS V2 (`GoogleAccessId` and `Signature`) and
 *   CloudFront canned policies (`Signature` and `Key-Pair-Id`): `Expires` in epoch seconds. A
 *   bare `expires` is an ordinary query parameter on many sites, so it counts only next to those
 *   companions;
 * - CloudFront custom policies: `Policy` (with `Signature` and `Key-Pair-Id`), whose
 *   `DateLessThan` is the expiry;
 * - Azure SAS: `se` (ISO 8601) with `sig`.
 * Values are percent-decoded (`+` stays `+`: it is a time zone's sign, not a space); a parameter
 * given twice with two values is ambiguous and ignored.
 */
export function signatureExpiry(url: string): SignatureExpiry | undefined {
  const params = signatureParams(url)
  if (params === undefined) return undefined
  // `has` says a family's parameter is there; `get` is undefined for an ambiguous value too.
  const has = (name: string): boolean => params.has(name)
  const get = (name: string): string | undefined => params.get(name)
  const v4 = (date: string, expires: string): number | undefined => {
    const start = basicDate(get(date))
    const seconds = digits(get(expires), 6)
    if (start === undefined || seconds === undefined || seconds > MAX_V4_EXPIRES_SECONDS) {
      return undefined
    }
    return start + seconds * 1000
  }
  const found = (scheme: string, expiresAt: number | undefined): SignatureExpiry | undefined =>
    expiresAt === undefined ? undefined : { scheme, expiresAt }

  if (has('x-amz-date') || has('x-amz-expires')) {
    return found('AWS SigV4', v4('x-amz-date', 'x-amz-expires'))
  }
  if (has('x-goog-date') || has('x-goog-expires')) {
    return found('GCS V4', v4('x-goog-date', 'x-goog-expires'))
  }
  if (has('se') && has('sig')) return found('Azure SAS', isoDate(get('se')))
  if (!has('signature')) return undefined
  const scheme = has('awsaccesskeyid')
    ? 'S3 V2'
    : has('googleaccessid')
      ? 'GCS V2'
      : has('key-pair-id')
        ? 'CloudFront'
        : undefined
  if (scheme === undefined) return undefined
  if (has('expires')) return found(scheme, epochSeconds(get('expires')))
  if (scheme === 'CloudFront') return found(scheme, policyExpiry(get('policy')))
  return undefined
}

/**
 * The wanted parameters of the query's first QUERY_BYTES, percent-decoded, by lowercase name;
 * undefined for a URL that is not http(s) or has no query. A value that does not decode, or a
 * name given twice with two values, maps to undefined.
 */
function signatureParams(url: string): Map<string, string | undefined> | undefined {
  const scheme = url.slice(0, 8).toLowerCase()
  if (!scheme.startsWith('https:') && !scheme.startsWith('http:')) return undefined
  const mark = url.indexOf('?')
  if (mark < 0 || url.lastIndexOf('#', mark) >= 0) return undefined
  let query = url.slice(mark + 1, mark + 2 + QUERY_BYTES)
  const hash = query.indexOf('#')
  if (hash >= 0 && hash <= QUERY_BYTES) {
    query = query.slice(0, hash)
  } else if (query.length > QUERY_BYTES) {
    // A parameter the bound cuts would read as another value (`86400` as `8640`): it is dropped.
    query = query.slice(0, query.lastIndexOf('&', QUERY_BYTES) + 1)
  }
  const params = new Map<string, string | undefined>()
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=')
    if (equals <= 0) continue
    const name = decode(pair.slice(0, equals))?.toLowerCase()
    if (name === undefined || !WANTED.has(name)) continue
    const value = decode(pair.slice(equals + 1))
    // Which of two values a store would read is its own business: neither is taken.
    params.set(name, params.has(name) && params.get(name) !== value ? undefined : value)
  }
  return params
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** A run of 1 to `max` ASCII digits as a number; anything else (sign, space, dot) undefined. */
function digits(text: string | undefined, max: number): number | undefined {
  if (text === undefined || text.length === 0 || text.length > max) return undefined
  let value = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return undefined
    value = value * 10 + d
  }
  return value
}

/** Epoch ms of a calendar time, or undefined when a field is out of range (no rolling over). */
function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  // Date.UTC rolls Feb 30 over into March: a day the month does not have shows up here.
  if (date.getUTCDate() !== day) return undefined
  // Date.UTC reads years 0-99 as 1900-1999; no signature is that old anyway.
  return year < 1970 ? undefined : date.getTime()
}

/** `YYYYMMDDTHHMMSSZ`, the V4 signing time. */
function basicDate(text: string | undefined): number | undefined {
  if (text === undefined || text.length !== 16 || text[8] !== 'T' || text[15] !== 'Z') {
    return undefined
  }
  const part = (from: number, to: number): number | undefined =>
    digits(text.slice(from, to), to - from)
  const fields = [part(0, 4), part(4, 6), part(6, 8), part(9, 11), part(11, 13), part(13, 15)]
  if (fields.some(field => field === undefined)) return undefined
  const [year, month, day, hour, minute, second] = fields as number[]
  return utc(year, month, day, hour, minute, second)
}

/**
 * Azure's ISO 8601 forms: `YYYY-MM-DD`, then optionally `Thh:mm`, `:ss`, `.f` (1 to 7 digits),
 * each ending in `Z` or a `±hh:mm` offset. A date alone is that day's midnight, UTC.
 */
function isoDate(text: string | undefined): number | undefined {
  if (text === undefined || text.length < 10 || text.length > 40) return undefined
  const number = (from: number, length: number, separator?: string): number | undefined => {
    if (separator !== undefined && text[from - 1] !== separator) return undefined
    return digits(text.slice(from, from + length), length)
  }
  const year = number(0, 4)
  const month = number(5, 2, '-')
  const day = number(8, 2, '-')
  if (year === undefined || month === undefined || day === undefined) return undefined
  if (text.length === 10) return utc(year, month, day, 0, 0, 0)
  const hour = number(11, 2, 'T')
  const minute = number(14, 2, ':')
  if (hour === undefined || minute === undefined) return undefined
  let at = 16
  let second = 0
  let fraction = 0
  if (text[at] === ':') {
    const s = number(at + 1, 2)
    if (s === undefined) return undefined
    second = s
    at += 3
    if (text[at] === '.') {
      let end = at + 1
      while (end < text.length && end - at <= 7 && digits(text[end], 1) !== undefined) end++
      if (end === at + 1) return undefined
      fraction = Math.floor(Number(`0${text.slice(at, end)}`) * 1000)
      at = end
    }
  }
  const base = utc(year, month, day, hour, minute, second)
  if (base === undefined) return undefined
  if (text[at] === 'Z' && at + 1 === text.length) return base + fraction
  const sign = text[at] === '+' ? -1 : text[at] === '-' ? 1 : 0
  if (sign === 0 || at + 6 !== text.length) return undefined
  const offsetHours = number(at + 1, 2)
  const offsetMinutes = number(at + 4, 2, ':')
  if (offsetHours === undefined || offsetMinutes === undefined) return undefined
  if (offsetHours > 14 || offsetMinutes > 59) return undefined
  return base + fraction + sign * (offsetHours * 60 + offsetMinutes) * 60_000
}

/** `Expires` of the V2 and CloudFront forms: epoch seconds. */
function epochSeconds(text: string | undefined): number | undefined {
  const seconds = digits(text, 12)
  return seconds === undefined || seconds > MAX_EPOCH_SECONDS ? undefined : seconds * 1000
}

/**
 * The `DateLessThan` of a CloudFront custom policy: JSON in CloudFront's URL-safe base64 (`-` for
 * `+`, `_` for `=`, `~` for `/`).
 */
function policyExpiry(policy: string | undefined): number | undefined {
  if (policy === undefined) return undefined
  const base64 = policy.replace(/[-_~]/g, c => (c === '-' ? '+' : c === '_' ? '=' : '/'))
  let document: unknown
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
  const epoch = member(document, 'Statement', 0, 'Condition', 'DateLessThan', 'AWS:EpochTime')
  return typeof epoch === 'number' ? epochSeconds(String(epoch)) : undefined
}

/** A value down a path of parsed JSON, or undefined where the path leaves it. */
function member(value: unknown, ...path: Array<string | number>): unknown {
  let at = value
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined
    at = (at as Record<string | number, unknown>)[key]
  }
  return at
}
