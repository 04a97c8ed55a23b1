import * as core from '@actions/core'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Clock } from './clock.js'
import { TransportError, UploadError } from './errors.js'
import { AgentPool, formatSeconds, send, type HttpResponse } from './http.js'
import { isLoopback } from './inputs.js'
import type { UploadUrl } from './nexus-types.js'
import { describeBody, looksLikeHtml, shorten } from './text.js'
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js'

/** Progress lines at most this often: enough to see it move, not a line per chunk. */
const PROGRESS_EVERY_MS = 10_000
const READ_CHUNK_BYTES = 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504])

export interface UploadOptions {
  uploadUrl: UploadUrl
  filePath: string
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
  const length = headerOf(uploadUrl.headers, 'content-length')
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
  if (headerOf(headers, 'content-length') === undefined) {
    headers['content-length'] = String(options.sizeBytes)
  }
  const pool = new AgentPool(false)
  const started = clock.now()
  try {
    for (let attempt = 1; ; attempt++) {
      await assertUnchanged(options.filePath, options.sizeBytes)
      const attemptStarted = clock.now()
      try {
        const response = await send(pool, {
          method: uploadUrl.method || 'PUT',
          url,
          headers,
          body: () =>
            createReadStream(options.filePath, {
              highWaterMark: READ_CHUNK_BYTES,
              start: 0,
              end: Math.max(0, options.sizeBytes - 1)
            }),
          idleTimeoutMs: options.stallTimeoutMs,
          maxResponseBytes: MAX_ERROR_BYTES,
          signal,
          onBodyProgress: progressLogger(options.sizeBytes, clock, attemptStarted)
        })
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
        const storage = storageError(response)
        if (response.status === 412 && (await options.earlierAttemptLanded())) {
          core.info(
            'The storage already holds the file: an earlier attempt landed and its answer was lost.'
          )
          return {
            attempts: attempt,
            durationMs: clock.now() - started,
            bytesPerSecond: 0
          }
        }
        const what = describeStorage(response.status, storage)
        const transient = TRANSIENT_STATUSES.has(response.status)
        if (!transient) {
          throw new UploadError(
            `The upload was refused (${what})${advice(storage.code)}`,
            response.status,
            storage.code
          )
        }
        if (attempt >= policy.maxAttempts) {
          throw new UploadError(
            `The upload kept failing (${what}) after ${attempt} attempts. It may be a passing storage outage: re-run the job.`,
            response.status,
            storage.code
          )
        }
        const retryAfter = parseRetryAfter(
          headerValue(response.headers['retry-after']),
          clock.now()
        )
        await pause(options, attempt, what, retryAfter)
      } catch (error) {
        if (signal.aborted) throw signal.reason
        if (!(error instanceof TransportError) || error.final || attempt >= policy.maxAttempts) {
          throw error instanceof TransportError
            ? new UploadError(
                `The upload kept failing: ${error.message} (after ${attempt} attempts). Check the runner's network; re-run the job.`,
                0,
                error.code
              )
            : error
        }
        await pause(options, attempt, error.message)
      }
    }
  } finally {
    pool.dispose()
  }
}

async function pause(
  options: UploadOptions,
  attempt: number,
  reason: string,
  retryAfterMs?: number
): Promise<void> {
  const delay =
    retryAfterMs !== undefined
      ? Math.min(retryAfterMs, options.policy.maxRetryAfterMs)
      : backoffDelay(attempt, options.policy, options.random)
  core.info(
    `Upload attempt ${attempt} of ${options.policy.maxAttempts} failed: ${reason}; retrying in ${formatSeconds(delay)}.`
  )
  await options.clock.sleep(delay, options.signal)
}

/** A file that changed since it was hashed would be refused as BadDigest; say why first. */
async function assertUnchanged(path: string, sizeBytes: number): Promise<void> {
  let info: { size: number }
  try {
    info = await stat(path)
  } catch (error) {
    throw new UploadError(
      `${path} can no longer be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); make sure nothing moves or deletes the file during the step.`,
      0,
      'FileChanged'
    )
  }
  if (info.size !== sizeBytes) {
    throw new UploadError(
      `${path} changed while the action ran (it had ${sizeBytes} bytes when checked, ${info.size} now). Make sure nothing writes the file during the step.`,
      0,
      'FileChanged'
    )
  }
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
  const type = headerValue(response.headers['content-type']) ?? ''
  return /html/i.test(type) || looksLikeHtml(response.body.toString('utf8', 0, 64))
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find(k => k.toLowerCase() === name)
  return key === undefined ? undefined : headers[key]
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
