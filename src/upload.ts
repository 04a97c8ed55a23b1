import * as core from '@actions/core'
import type { FileHandle } from 'node:fs/promises'
import type { Clock } from './clock.js'
import { TransportError, UploadError } from './errors.js'
import { formatSeconds } from './format.js'
import { AgentPool, headerValue, send, type HttpResponse } from './http.js'
import { isLoopback } from './inputs.js'
import { uploadHeader, type UploadUrl } from './nexus-types.js'
import {
  RETRYABLE_STATUSES,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
  type RetryVerdict
} from './retry.js'
import { describeBody, looksLikeHtml, shorten } from './text.js'

/** Progress lines at most this often: enough to see it move, not a line per chunk. */
const PROGRESS_EVERY_MS = 10_000
const READ_CHUNK_BYTES = 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024

export interface UploadOptions {
  uploadUrl: UploadUrl
  /** Opens the file that was hashed, or throws if it has changed since. */
  openFile(): Promise<FileHandle>
  sizeBytes: number
  /** No byte sent or received for this long is a stall: the attempt is abandoned. */
  stallTimeoutMs: number
  policy: RetryPolicy
  clock: Clock
  random: () => number
  signal: AbortSignal
  /**
   * Asked when a retry meets 412 PreconditionFailed: did an earlier attempt
   * land after all? (The dataset has moved past Waiting.)
   */
  earlierAttemptLanded(): Promise<boolean>
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
export function maskUploadUrl(uploadUrl: UploadUrl): void {
  core.setSecret(uploadUrl.url)
  try {
    const url = new URL(uploadUrl.url)
    for (const [key, value] of url.searchParams) {
      if (/signature|credential|token|sig$/i.test(key) && value) core.setSecret(value)
    }
    core.setSecret(url.search.slice(1))
  } catch {
    // Not a URL: checkUploadUrl refuses it with a message that does not quote it.
  }
}

/** Refuses an upload URL the file must not be sent to. Never quotes the URL. */
export function checkUploadUrl(uploadUrl: UploadUrl, sizeBytes: number): URL {
  let url: URL
  try {
    url = new URL(uploadUrl.url)
  } catch {
    throw new UploadError('The upload URL Nexus returned is not a URL.', 0, 'BadUploadUrl')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new UploadError(
      `The upload URL Nexus returned uses ${url.protocol}//; only https:// is accepted.`,
      0,
      'BadUploadUrl'
    )
  }
  const length = uploadHeader(uploadUrl, 'content-length')
  if (length !== undefined && length !== String(sizeBytes)) {
    throw new UploadError(
      `The upload URL Nexus returned is signed for ${length} bytes, but the file has ${sizeBytes}.`,
      0,
      'SizeMismatch'
    )
  }
  return url
}

/**
 * PUTs the file through the signed URL with exactly the signed method and
 * headers (a fixed Content-Length, never chunked) and nothing else: no API
 * credential ever goes to the storage host. Transient failures are retried
 * with a fresh file stream; refusals that another try cannot fix are not.
 */
export async function uploadFile(options: UploadOptions): Promise<UploadResult> {
  const { uploadUrl, clock, policy, signal } = options
  const url = checkUploadUrl(uploadUrl, options.sizeBytes)
  const headers = { ...uploadUrl.headers }
  if (uploadHeader(uploadUrl, 'content-length') === undefined) {
    headers['content-length'] = String(options.sizeBytes)
  }
  const pool = new AgentPool(false)
  const started = clock.now()
  let attempts = 0
  try {
    return await withRetries(
      async attempt => {
        attempts = attempt
        const attemptStarted = clock.now()
        // A file rewritten since it was hashed would only come back as BadDigest.
        const file = await options.openFile()
        let response: HttpResponse
        try {
          response = await send(pool, {
            method: uploadUrl.method || 'PUT',
            url,
            headers,
            body: () =>
              file.createReadStream({
                highWaterMark: READ_CHUNK_BYTES,
                start: 0,
                end: Math.max(0, options.sizeBytes - 1),
                autoClose: false
              }),
            idleTimeoutMs: options.stallTimeoutMs,
            maxResponseBytes: MAX_ERROR_BYTES,
            signal,
            onBodyProgress: progressLogger(options.sizeBytes, clock, attemptStarted)
          })
        } finally {
          await file.close()
        }
        if (response.status >= 200 && response.status < 300) {
          if (looksLikeWebPage(response)) {
            // Storage answers a PUT with an empty body: a page means something else
            // (a captive portal or proxy) answered, and nothing was stored.
            throw new UploadError(
              `The upload host answered HTTP ${response.status} with ${describeBody(response.body)}, not a storage answer; nothing was stored. Check the runner's proxy settings (https_proxy, no_proxy).`,
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
          core.info(
            'The storage already holds the file: an earlier attempt landed and its answer was lost.'
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
          core.info(
            `Upload attempt ${attempt} of ${policy.maxAttempts} failed: ${reason}; retrying in ${formatSeconds(delayMs)}.`
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
      `The upload kept failing: ${error.message} (after ${attempts} attempts). Check the runner's network; re-run the job.`,
      0,
      error.code
    )
  }
  // Refusals are raised with the bare storage answer; failures of our own
  // (file changed, not storage) already carry their whole message.
  if (!(error instanceof UploadError) || error.status < 400) return error
  const { status, storageCode } = error
  const message = RETRYABLE_STATUSES.has(status)
    ? `The upload kept failing (${error.message}) after ${attempts} attempts. It may be a passing storage outage: re-run the job.`
    : `The upload was refused (${error.message})${advice(storageCode)}`
  return new UploadError(message, status, storageCode)
}

function progressLogger(total: number, clock: Clock, started: number): (sent: number) => void {
  let lastLog = started
  return sent => {
    const now = clock.now()
    if (now - lastLog < PROGRESS_EVERY_MS || sent >= total) return
    lastLog = now
    const mib = sent / 1048576
    const rate = mib / Math.max(0.001, (now - started) / 1000)
    core.info(
      `Uploading: ${Math.floor((sent / total) * 100)}% (${mib.toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB) at ${rate.toFixed(1)} MiB/s`
    )
  }
}

/** Google Cloud Storage's XML error code and message; empty when it sent none. */
export function storageError(response: HttpResponse): { code: string; message: string } {
  const text = response.body.toString('utf8')
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1]?.trim() ?? ''
  const message = /<Message>([^<]{1,400})<\/Message>/.exec(text)?.[1]?.trim() ?? ''
  return { code: shorten(code, 100), message: scrub(message) }
}

function describeStorage(status: number, storage: { code: string; message: string }): string {
  if (!storage.code) return `HTTP ${status}, no error details`
  return `HTTP ${status} ${storage.code}${storage.message ? `: ${storage.message}` : ''}`
}

/** Storage messages sometimes echo the request (URL, signature): keep neither. */
function scrub(message: string): string {
  return shorten(
    message.replace(/https?:\/\/\S+/g, '<url>').replace(/[A-Fa-f0-9]{64,}/g, '<signature>')
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
