/**
 * Failed requests, to the API and to the storage: whether another try may get through, and the
 * one explanation of a request that failed for good, for both alike. The last attempt's error
 * becomes what happened, with the particulars (which request, how many attempts, the server's
 * words), and the advice for its kind.
 */
import { RETRYABLE_STATUSES, type RetryVerdict } from '../net/retry.js'
import { advice, type Advice } from '../shared/advice.js'
import { NexusApiError, TransportError, UploadError } from '../shared/errors.js'
import { t, type Inert } from '../shared/outside-text.js'
import type { DatasetId } from './types.js'

/** What a failed request was. */
export type FailedRequest =
  | {
      to: 'api'
      /** What it was doing, e.g. `reading dataset dataset_…`. */
      doing: Inert
      origin: string
      projectId: string
      /** The dataset it addressed by id: a 404 then means that dataset is gone. */
      datasetId?: DatasetId
    }
  | { to: 'storage' }

/** Whether a failed API call is worth another try, and after how long. */
export function apiRetryVerdict(error: unknown): RetryVerdict {
  if (error instanceof TransportError) {
    return error.final ? { retry: false } : { retry: true, reason: error.message }
  }
  if (error instanceof NexusApiError && RETRYABLE_STATUSES.has(error.status)) {
    return {
      retry: true,
      retryAfterMs: error.retryAfterMs,
      reason: t`HTTP ${error.status}${error.serverMessage ? t` (${error.serverMessage})` : ''}`
    }
  }
  return { retry: false }
}

/** Storage outages and lost connections are worth another try; refusals are not. */
export function uploadRetryVerdict(error: unknown): RetryVerdict {
  if (error instanceof UploadError && RETRYABLE_STATUSES.has(error.status)) {
    return { retry: true, reason: error.message, retryAfterMs: error.retryAfterMs }
  }
  if (error instanceof TransportError && !error.final) return { retry: true, reason: error.message }
  return { retry: false }
}

/** The error to fail with, after the last of `attempts` tries of `request` failed with `error`. */
export function explainFailedRequest(
  error: unknown,
  attempts: number,
  request: FailedRequest
): unknown {
  if (error instanceof TransportError && !error.final) {
    return request.to === 'api'
      ? new TransportError(
          t`Could not reach the Nexus API at ${request.origin} while ${request.doing}${after(attempts)}: ${error.message}.`,
          error.code,
          advice('unreachable')
        )
      : new UploadError(
          t`The upload kept failing: ${error.message} (after ${attempts} attempts).`,
          0,
          error.code,
          undefined,
          advice('storageUnreachable')
        )
  }
  if (error instanceof NexusApiError && request.to === 'api')
    return apiFailure(error, attempts, request)
  // Failures of our own (an upload URL refused, not the storage answering) are already explained.
  if (error instanceof UploadError && error.status >= 400) return storageFailure(error, attempts)
  return error
}

const after = (attempts: number): string => (attempts > 1 ? ` after ${attempts} attempts` : '')

function apiFailure(
  error: NexusApiError,
  attempts: number,
  { projectId, doing, datasetId }: Extract<FailedRequest, { to: 'api' }>
): NexusApiError {
  const server = error.serverMessage ? t`: ${error.serverMessage}` : ''
  const status = t`HTTP ${error.status}${server}`
  const told = (what: Inert, advised: Advice): NexusApiError =>
    new NexusApiError(what, error.status, error.serverMessage, error.retryAfterMs, advised)
  if (error.status === 401 || error.status === 403) {
    return told(
      t`Nexus refused the secret key for project ${projectId} (${status}).`,
      advice('keyRefused', projectId)
    )
  }
  if (error.status === 404 && datasetId) {
    return told(
      t`Dataset ${datasetId} not found in project ${projectId} (${status}).`,
      advice('datasetNotFound', projectId)
    )
  }
  if (error.status === 404) {
    return told(
      t`Nexus answered "not found" while ${doing} in project ${projectId} (${status}).`,
      advice('projectNotFound', projectId)
    )
  }
  if (error.status === 429) {
    return told(
      t`Nexus kept answering "too many requests" while ${doing}${after(attempts)} (${status}).`,
      advice('tooManyRequests')
    )
  }
  if (error.status >= 500) {
    return told(
      t`The Nexus API failed while ${doing}${after(attempts)} (${status}).`,
      advice('apiFailing')
    )
  }
  return told(t`Nexus rejected ${doing} (${status}).`, advice('apiRejected'))
}

/** The storage's refusals that have advice of their own, by its error code (outside text). */
const STORAGE_CODES: ReadonlyMap<string, 'storageDigest' | 'storageExpired' | 'storageSignature'> =
  new Map([
    ['BadDigest', 'storageDigest'],
    ['InvalidDigest', 'storageDigest'],
    ['ExpiredToken', 'storageExpired'],
    ['SignatureDoesNotMatch', 'storageSignature']
  ] as const)

function storageFailure(error: UploadError, attempts: number): UploadError {
  const { status, storageCode } = error
  const failing = RETRYABLE_STATUSES.has(status)
  const what = failing
    ? t`The upload kept failing (${error.what}) after ${attempts} attempts.`
    : t`The upload was refused (${error.what}).`
  const kind = failing ? 'storageFailing' : (STORAGE_CODES.get(storageCode) ?? 'storageRefused')
  return new UploadError(what, status, storageCode, undefined, advice(kind))
}
