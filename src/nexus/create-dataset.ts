import { withRetries } from '../net/retry.js'
import type { Clock } from '../shared/clock.js'
import { BadAnswerError, NexusApiError, TransportError, errorMessage } from '../shared/errors.js'
import { formatSeconds } from '../shared/format.js'
import { NexusClient } from './client.js'
import { apiRetryVerdict } from './failures.js'
import {
  SOURCE_KIND,
  WAITING_STATUS,
  uploadHeader,
  uploadUrlOf,
  type CreateDatasetBody,
  type Dataset
} from './types.js'
import type { Logger } from '../shared/logger.js'
import { afterGrace } from '../shared/signals.js'
import { t, type Inert } from '../shared/outside-text.js'

/** How long a POST already sent may still run after a cancel (the runner kills at ~5 s). */
const POST_GRACE_MS = 2500
/** Server and runner clocks differ; a dataset this much "older" than the run may still be ours. */
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * Creates the dataset. A POST whose answer was lost (timeout, dropped
 * connection, 5xx) may have made it anyway, so before each retry after such a
 * failure we look for it: same name, created during this run, still Waiting,
 * and signed for exactly our size and CRC-32C. If it is there we adopt it
 * rather than create a second one.
 */
export async function createDataset(
  ctx: {
    client: NexusClient
    log: Logger
    clock: Clock
    random: () => number
    signal: AbortSignal
    /**
     * Told when an attempt got no clear answer, so Nexus may have made the dataset: should the
     * create fail in the end, a dataset nobody knows the id of may be left.
     */
    onUnanswered?: () => void
  },
  source: { name: string; sizeBytes: number; crc32c: string }
): Promise<{ dataset: Dataset; adopted: boolean }> {
  const { client, clock, log } = ctx
  const body: CreateDatasetBody = {
    name: source.name,
    spec: { source: { kind: SOURCE_KIND, sizeBytes: source.sizeBytes, crc32c: source.crc32c } }
  }
  const startedAt = clock.now()
  let ambiguous = false
  return withRetries(
    async () => {
      if (ambiguous) {
        const found = await findOurs(client, body, startedAt - CLOCK_SKEW_MS)
        if (found) {
          log.info(
            t`Dataset ${found.id} was created by an attempt whose answer was lost; using it.`
          )
          return { dataset: found, adopted: true }
        }
      }
      try {
        // A cancel does not cut a POST already sent: its answer names the
        // dataset, so the caller can delete it rather than leave an orphan.
        const signal = afterGrace(ctx.signal, POST_GRACE_MS)
        return { dataset: await client.postDataset(body, signal), adopted: false }
      } catch (error) {
        if (NexusClient.isAmbiguous(error)) {
          ambiguous = true
          ctx.onUnanswered?.()
        }
        throw error
      }
    },
    {
      policy: client.retryPolicy,
      clock,
      random: ctx.random,
      signal: ctx.signal,
      // A garbled 2xx or a lost answer may mean the dataset exists: retrying is
      // safe only because each retry first looks for it.
      classify: error => {
        const verdict = apiRetryVerdict(error)
        return verdict.retry || NexusClient.isAmbiguous(error)
          ? { ...verdict, retry: true, reason: shortReason(error) }
          : verdict
      },
      onRetry: ({ attempt, delayMs, reason }) =>
        log.info(
          t`Creating the dataset failed (attempt ${attempt} of ${client.retryPolicy.maxAttempts}: ${reason}); ${ambiguous ? 'looking for it, then ' : ''}retrying in ${formatSeconds(delayMs)}.`
        )
    }
  )
}

async function findOurs(
  client: NexusClient,
  body: CreateDatasetBody,
  notBefore: number
): Promise<Dataset | undefined> {
  const { name } = body
  const { sizeBytes, crc32c } = body.spec.source
  const candidates = (await client.listAll()).datasets.filter(
    d =>
      d.name === name &&
      d.status.overview === WAITING_STATUS &&
      typeof d.createDate === 'number' &&
      d.createDate >= notBefore
  )
  const ours: Dataset[] = []
  for (const candidate of candidates) {
    const dataset = uploadUrlOf(candidate) ? candidate : await client.getDataset(candidate.id)
    const uploadUrl = uploadUrlOf(dataset)
    if (
      uploadUrl &&
      uploadHeader(uploadUrl, 'content-length') === String(sizeBytes) &&
      uploadHeader(uploadUrl, 'x-goog-hash')?.includes(`crc32c=${crc32c}`)
    ) {
      ours.push(dataset)
    }
  }
  // Two matches mean another job (a matrix leg, a re-run) made a twin: which
  // one is ours cannot be told, so adopt neither and create a fresh one.
  return ours.length === 1 ? ours[0] : undefined
}

/** The gist of a failed try for the retry line; the full advice comes if it is the last. */
function shortReason(error: unknown): Inert {
  if (error instanceof NexusApiError) return t`HTTP ${error.status}`
  if (error instanceof TransportError) return t`${error.code}`
  if (error instanceof BadAnswerError) return t`an answer that is not a dataset`
  return t`${errorMessage(error)}`
}
