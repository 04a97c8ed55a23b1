/**
 * Reading what the storage answered an upload with: Google Cloud Storage's XML error (its code and
 * message, scrubbed of anything the request put in it), or a web page that something else answered
 * with in its place.
 */
import { headerValue, type HttpResponse } from '../net/http.js'
import { parseRetryAfter } from '../net/retry.js'
import { advice } from '../shared/advice.js'
import { UploadError } from '../shared/errors.js'
import { describeBody, looksLikeHtml, redact, shorten, t } from '../shared/outside-text.js'

/** Google Cloud Storage's XML error code and message; empty when it sent none. */
export function storageError(response: HttpResponse): { code: string; message: string } {
  const text = response.body.toString('utf8')
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1]?.trim() ?? ''
  // Taken whole (the body is capped): cutting comes after redaction, in scrub().
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.trim() ?? ''
  return { code: shorten(code, 100), message: scrub(message) }
}

/** A refused or failed attempt, in the storage's own words (`HTTP 403 AccessDenied: …`). */
export function storageRefusal(response: HttpResponse, now: number): UploadError {
  const { code, message } = storageError(response)
  const said = !code
    ? t`HTTP ${response.status}, no error details`
    : t`HTTP ${response.status} ${code}${message ? `: ${message}` : ''}`
  return new UploadError(
    said,
    response.status,
    code,
    parseRetryAfter(headerValue(response, 'retry-after'), now)
  )
}

/**
 * Storage answers a PUT with an empty body: a 2xx that is a web page means something else (a
 * captive portal or proxy) answered, and nothing was stored.
 */
export function notStorage(response: HttpResponse): UploadError | undefined {
  const type = headerValue(response, 'content-type') ?? ''
  if (!/html/i.test(type) && !looksLikeHtml(response.body.toString('utf8', 0, 64))) return undefined
  return new UploadError(
    t`The upload host answered HTTP ${response.status} with ${describeBody(response.body)}, not a storage answer; nothing was stored.`,
    response.status,
    '',
    undefined,
    advice('notStorage')
  )
}

/** Storage messages sometimes echo the request (URL, signature): keep neither, then cut. */
function scrub(message: string): string {
  return shorten(
    redact(message)
      .replace(/https?:\/\/\S+/g, '<url>')
      .replace(/[A-Fa-f0-9]{64,}/g, '<signature>')
  )
}
