import type { Readable } from 'node:stream'
import type { Clock } from '../shared/clock.js'
import { TransportError, UploadError } from '../shared/errors.js'
import { formatSeconds } from '../shared/format.js'
import { AgentPool, headerValue, send, type HttpResponse } from '../net/http.js'
import type { Logger } from '../shared/logger.js'
import type { UploadUrl } from './types.js'
import {
  describeBody,
  looksLikeHtml,
  quote,
  redact,
  shorten,
  t,
  type Inert
} from '../shared/outside-text.js'
import {
  RETRYABLE_STATUSES,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
  type RetryVerdict
} from '../net/retry.js'
import { isLoopback } from '../net/url-policy.js'

/** Progress lines at most this often: enough to see it move, not a line per chunk. */
const PROGRESS_EVERY_MS = 10_000
const MAX_ERROR_BYTES = 64 * 1024
/** How long a storage host that ignores `Expect: 100-continue` holds up the body (curl: 1 s). */
const CONTINUE_WAIT_MS = 2000

export interface UploadOptions {
  uploadUrl: UploadUrl
  /** Opens the bytes that were hashed for one attempt, or throws if the file has changed since. */
  openBody(): Promise<UploadBody>
  sizeBytes: number
  /**
   * No byte sent or received for this long is a stall, and once the last byte is sent the whole
   * answer must come within it: either way the attempt is abandoned.
   */
  stallTimeoutMs: number
  /** Plain http:// upload URLs are taken only when the API itself is on loopback (the tests). */
  apiUrl: URL
  policy: RetryPolicy
  clock: Clock
  random: () => number
  signal: AbortSignal
  log: Logger
  /**
   * Asked when a retry meets 412 PreconditionFailed: did an earlier attempt
   * land after all? (The dataset has moved past Waiting.)
   */
  earlierAttemptLanded(): Promise<boolean>
}

/** One attempt's body: read() gives the bytes from the start (again if asked); close() ends them. */
export interface UploadBody {
  read(): Readable
  close(): Promise<void>
}

export interface UploadResult {
  attempts: number
  durationMs: number
  /** Bytes per second of the attempt that succeeded; 0 when an earlier attempt's landing was confirmed. */
  bytesPerSecond: number
}

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

function refuse(message: Inert, code = 'BadUploadUrl'): never {
  throw new UploadError(t`${message} Nothing was sent.`, 0, code)
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
    refuse(
      t`${what} is signed for ${quote(length, 20)} bytes, but the file has ${sizeBytes}.`,
      'SizeMismatch'
    )
  }
  headers['content-length'] = String(sizeBytes)
  return { url, headers }
}

/**
 * PUTs the file as planUpload() built the request (a fixed Content-Length, never chunked, no API
 * credential: the secret key never goes to the storage host). The body waits for the storage's
 * `100 Continue`, so a refusal decided from the headers is read before any body byte is sent.
 * Transient failures are retried with a fresh file stream; refusals that another try cannot fix
 * are not.
 */
export async function uploadFile(options: UploadOptions): Promise<UploadResult> {
  const { uploadUrl, clock, policy, signal, log } = options
  const { url, headers } = planUpload(uploadUrl, options.sizeBytes, options.apiUrl)
  const pool = new AgentPool(false)
  const started = clock.now()
  let attempts = 0
  try {
    return await withRetries(
      async attempt => {
        attempts = attempt
        const attemptStarted = clock.now()
        // A file rewritten since it was hashed would only come back as BadDigest.
        const body = await options.openBody()
        let response: HttpResponse
        try {
          response = await send(pool, {
            method: 'PUT',
            url,
            headers,
            body: () => body.read(),
            expectContinue: { timeoutMs: Math.min(CONTINUE_WAIT_MS, options.stallTimeoutMs / 2) },
            idleTimeoutMs: options.stallTimeoutMs,
            answerTimeoutMs: options.stallTimeoutMs,
            maxResponseBytes: MAX_ERROR_BYTES,
            signal,
            onBodyProgress: progressLogger(options.sizeBytes, clock, attemptStarted, log)
          })
        } finally {
          await body.close()
        }
        if (response.status >= 200 && response.status < 300) {
          if (looksLikeWebPage(response)) {
            // Storage answers a PUT with an empty body: a page means something else
            // (a captive portal or proxy) answered, and nothing was stored.
            throw new UploadError(
              t`The upload host answered HTTP ${response.status} with ${describeBody(response.body)}, not a storage answer; nothing was stored. Check the runner's proxy settings (https_proxy, no_proxy).`,
              response.status,
              'NotStorage'
            )
          }
          const elapsed = Math.max(1, clock.now() - attemptStarted)
          return {
            attempts: attempt,
            durationMs: clock.now() - started,
            bytesPerSecond: (options.sizeBytes * 1000) / elapsed
          }
        }
        if (response.status === 412 && (await options.earlierAttemptLanded())) {
          log.info(
            t`The storage already holds the file: an earlier attempt landed and its answer was lost.`
          )
          return { attempts: attempt, durationMs: clock.now() - started, bytesPerSecond: 0 }
        }
        const storage = storageError(response)
        throw new UploadError(
          describeStorage(response.status, storage),
          response.status,
          storage.code,
          parseRetryAfter(headerValue(response, 'retry-after'), clock.now())
        )
      },
      {
        policy,
        clock,
        random: options.random,
        signal,
        classify: uploadRetryVerdict,
        onRetry: ({ attempt, delayMs, reason }) =>
          log.info(
            t`Upload attempt ${attempt} of ${policy.maxAttempts} failed: ${reason}; retrying in ${formatSeconds(delayMs)}.`
          )
      }
    )
  } catch (error) {
    throw explain(error, attempts)
  } finally {
    pool.dispose()
  }
}

/** Storage outages and lost connections are worth another try; refusals are not. */
function uploadRetryVerdict(error: unknown): RetryVerdict {
  if (error instanceof UploadError && RETRYABLE_STATUSES.has(error.status)) {
    return { retry: true, reason: error.message, retryAfterMs: error.retryAfterMs }
  }
  if (error instanceof TransportError && !error.final) return { retry: true, reason: error.message }
  return { retry: false }
}

/** Turns the last failed attempt into one message a person can act on. */
function explain(error: unknown, attempts: number): unknown {
  if (error instanceof TransportError && !error.final) {
    return new UploadError(
      t`The upload kept failing: ${error.message} (after ${attempts} attempts). Check the runner's network; re-run the job.`,
      0,
      error.code
    )
  }
  // Refusals are raised with the bare storage answer; failures of our own
  // (file changed, not storage) already carry their whole message.
  if (!(error instanceof UploadError) || error.status < 400) return error
  const { status, storageCode } = error
  const message = RETRYABLE_STATUSES.has(status)
    ? t`The upload kept failing (${error.message}) after ${attempts} attempts. It may be a passing storage outage: re-run the job.`
    : t`The upload was refused (${error.message})${advice(storageCode)}`
  return new UploadError(message, status, storageCode)
}

function progressLogger(
  total: number,
  clock: Clock,
  started: number,
  log: Logger
): (sent: number) => void {
  let lastLog = started
  return sent => {
    const now = clock.now()
    if (now - lastLog < PROGRESS_EVERY_MS || sent >= total) return
    lastLog = now
    const mib = sent / 1048576
    const rate = mib / Math.max(0.001, (now - started) / 1000)
    log.info(
      t`Uploading: ${Math.floor((sent / total) * 100)}% (${mib.toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB) at ${rate.toFixed(1)} MiB/s`
    )
  }
}

/** Google Cloud Storage's XML error code and message; empty when it sent none. */
export function storageError(response: HttpResponse): { code: string; message: string } {
  const text = response.body.toString('utf8')
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1]?.trim() ?? ''
  // Taken whole (the body is capped): cutting comes after redaction, in scrub().
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.trim() ?? ''
  return { code: shorten(code, 100), message: scrub(message) }
}

function describeStorage(status: number, storage: { code: string; message: string }): Inert {
  if (!storage.code) return t`HTTP ${status}, no error details`
  return t`HTTP ${status} ${storage.code}${storage.message ? `: ${storage.message}` : ''}`
}

/** Storage messages sometimes echo the request (URL, signature): keep neither, then cut. */
function scrub(message: string): string {
  return shorten(
    redact(message)
      .replace(/https?:\/\/\S+/g, '<url>')
      .replace(/[A-Fa-f0-9]{64,}/g, '<signature>')
  )
}

function advice(code: string): string {
  switch (code) {
    case 'BadDigest':
    case 'InvalidDigest':
      return '. The file changed between the check and the upload; make sure nothing writes it during the step.'
    case 'ExpiredToken':
      return '. The signed upload URL expired; run the step again to get a new one.'
    case 'SignatureDoesNotMatch':
      return '. The storage refused the signed request; run the step again, and report it if it persists.'
    case 'PreconditionFailed':
      return '. The storage already holds this file, yet a minute later Nexus still shows the dataset Waiting; it is kept: check it later with operation: wait.'
    default:
      return '.'
  }
}

function looksLikeWebPage(response: HttpResponse): boolean {
  const type = headerValue(response, 'content-type') ?? ''
  return /html/i.test(type) || looksLikeHtml(response.body.toString('utf8', 0, 64))
}
