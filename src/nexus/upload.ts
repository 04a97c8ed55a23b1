/**
 * The upload: the file PUT to the signed URL as planned (upload-plan.ts), retried while the
 * storage or the connection fails in a way another try can get past.
 */
import type { Readable } from 'node:stream'
import { AgentPool, send, type HttpResponse } from '../net/http.js'
import { withRetries, type RetryPolicy } from '../net/retry.js'
import type { Clock } from '../shared/clock.js'
import { formatSeconds } from '../shared/format.js'
import type { Logger } from '../shared/logger.js'
import { t } from '../shared/outside-text.js'
import { explainFailedRequest, uploadRetryVerdict } from './failures.js'
import { storageRefusal, notStorage } from './storage-answer.js'
import type { UploadUrl } from './types.js'
import { planUpload, type UploadPlan } from './upload-plan.js'

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
   * Asked when an attempt meets 412 PreconditionFailed, which says the object exists: an earlier
   * attempt landed and its answer was lost. Resolves once Nexus confirms that it took the file;
   * throws the failure to report otherwise.
   */
  confirmEarlierLanding(): Promise<void>
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
 * PUTs the file as planUpload() built the request (a fixed Content-Length, never chunked, no API
 * credential: the secret key never goes to the storage host). The body waits for the storage's
 * `100 Continue`, so a refusal decided from the headers is read before any body byte is sent.
 * Transient failures are retried with a fresh file stream; refusals that another try cannot fix
 * are not.
 */
export async function uploadFile(options: UploadOptions): Promise<UploadResult> {
  const { clock, policy, signal, log } = options
  const plan = planUpload(options.uploadUrl, options.sizeBytes, options.apiUrl)
  const pool = new AgentPool(false)
  const started = clock.now()
  let attempts = 0
  try {
    return await withRetries(
      async attempt => {
        attempts = attempt
        const attemptStarted = clock.now()
        const response = await putOnce(pool, plan, options, attemptStarted)
        if (response.status >= 200 && response.status < 300) {
          const refused = notStorage(response)
          if (refused) throw refused
          const elapsed = Math.max(1, clock.now() - attemptStarted)
          return {
            attempts: attempt,
            durationMs: clock.now() - started,
            bytesPerSecond: (options.sizeBytes * 1000) / elapsed
          }
        }
        if (response.status === 412) {
          await options.confirmEarlierLanding()
          log.info(
            t`The storage already holds the file: an earlier attempt landed and its answer was lost.`
          )
          return { attempts: attempt, durationMs: clock.now() - started, bytesPerSecond: 0 }
        }
        throw storageRefusal(response, clock.now())
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
    throw explainFailedRequest(error, attempts, { to: 'storage' })
  } finally {
    pool.dispose()
  }
}

/** One attempt: the checked bytes, reopened, sent whole; the storage's answer read up to its cap. */
async function putOnce(
  pool: AgentPool,
  { url, headers }: UploadPlan,
  options: UploadOptions,
  started: number
): Promise<HttpResponse> {
  // A file rewritten since it was hashed would only come back as BadDigest.
  const body = await options.openBody()
  try {
    return await send(pool, {
      method: 'PUT',
      url,
      headers,
      body: () => body.read(),
      expectContinue: { timeoutMs: Math.min(CONTINUE_WAIT_MS, options.stallTimeoutMs / 2) },
      idleTimeoutMs: options.stallTimeoutMs,
      answerTimeoutMs: options.stallTimeoutMs,
      maxResponseBytes: MAX_ERROR_BYTES,
      signal: options.signal,
      onBodyProgress: progressLogger(options.sizeBytes, options.clock, started, options.log)
    })
  } finally {
    await body.close()
  }
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
