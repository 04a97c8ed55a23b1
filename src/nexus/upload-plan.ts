/**
 * The upload request, planned by the action from the upload URL Nexus returned: checked, and built
 * from what passes the checks, never taken wholesale.
 */
import { advice } from '../shared/advice.js'
import { UploadError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { quote, t, type Inert } from '../shared/outside-text.js'
import { isLoopback } from '../net/loopback.js'
import type { UploadUrl } from './types.js'

/**
 * Masks the signed URL, and its signature on its own, before anything can log
 * them: whoever holds the URL can write the object until it expires.
 */
export function maskUploadUrl(uploadUrl: UploadUrl, log: Logger): void {
  log.secret(uploadUrl.url)
  try {
    const url = new URL(uploadUrl.url)
    for (const [key, value] of url.searchParams) {
      if (/signature|credential|token|sig$/i.test(key) && value) log.secret(value)
    }
    log.secret(url.search.slice(1))
  } catch {
    // Not a URL: planUpload refuses it with a message that does not quote it.
  }
}

/**
 * Headers the storage may ask the upload to carry: the object's own metadata and Google Cloud
 * Storage's x-goog-* request headers. Anything else in uploadUrl.headers is refused, by name.
 */
const OBJECT_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-md5',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control'
])
/** Named apart in the refusal: framing and connection control, and credentials. */
const NEVER_FROM_THE_API = new Set([
  'host',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'authorization',
  'cookie',
  'secret-key'
])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** What node:http would send in a header value; anything else it refuses at once. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** What is sent: built by the action from a checked upload URL, never taken from it wholesale. */
export interface UploadPlan {
  url: URL
  headers: Record<string, string>
}

function refuse(message: Inert): never {
  throw new UploadError(t`${message} Nothing was sent.`, 0, '', undefined, advice('badUploadUrl'))
}

/**
 * Checks the upload URL Nexus returned and builds the request from it: method PUT, https (plain
 * http only between loopback hosts, when the API is on loopback too), the signed headers that pass
 * the allow-list above, and one fixed Content-Length equal to the file's size. Never quotes the
 * URL or a header value: both may carry the signature.
 */
export function planUpload(uploadUrl: UploadUrl, sizeBytes: number, apiUrl: URL): UploadPlan {
  const what = t`The upload URL Nexus returned`
  if (uploadUrl.method !== 'PUT') {
    refuse(
      t`${what} asks for method ${quote(uploadUrl.method, 10)}; the action uploads only with PUT.`
    )
  }
  let url: URL
  try {
    url = new URL(uploadUrl.url)
  } catch {
    refuse(t`${what} is not a URL.`)
  }
  if (url.username || url.password) refuse(t`${what} carries a user name or password.`)
  const plainHttpAllowed = isLoopback(apiUrl.hostname) && isLoopback(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainHttpAllowed)) {
    refuse(
      t`${what} uses ${quote(url.protocol, 10)}; only https:// is accepted (plain http:// only when api-url and the upload host are both on loopback, as in tests).`
    )
  }
  const headers: Record<string, string> = {}
  const seen = new Set<string>()
  for (const [name, value] of Object.entries(uploadUrl.headers)) {
    const lower = name.toLowerCase()
    if (!TOKEN.test(name)) refuse(t`${what} has a header whose name is not a header name.`)
    if (seen.has(lower)) refuse(t`${what} gives the header ${lower} twice.`)
    seen.add(lower)
    if (NEVER_FROM_THE_API.has(lower) || lower.startsWith('proxy-')) {
      refuse(
        t`${what} sets the header ${lower}, which only the action decides: framing, connection and credential headers are never taken from the API.`
      )
    }
    if (!OBJECT_HEADERS.has(lower) && !lower.startsWith('x-goog-')) {
      refuse(
        t`${what} asks for the header ${lower}, which a storage upload does not take (only content-*, cache-control and x-goog-* headers are sent).`
      )
    }
    if (!HEADER_VALUE.test(value))
      refuse(t`${what} has a value for ${lower} that no header can carry.`)
    headers[lower] = value
  }
  const length = headers['content-length']
  if (length !== undefined && length !== String(sizeBytes)) {
    refuse(t`${what} is signed for ${quote(length, 20)} bytes, but the file has ${sizeBytes}.`)
  }
  headers['content-length'] = String(sizeBytes)
  return { url, headers }
}
