import * as core from '@actions/core'
import type { RunContext } from './context.js'
import { formatSeconds } from './http.js'
import { apiRetryVerdict, NexusClient } from './nexus-client.js'
import {
  SOURCE_KIND,
  WAITING_STATUS,
  uploadUrlOf,
  type CreateDatasetBody,
  type Dataset
} from './nexus-types.js'
import { withRetries } from './retry.js'

/** Server and runner clocks differ; a dataset this much "older" than the run may still be ours. */
const CLOCK_SKEW_MS = 5 * 60_000
const LIST_PAGE_SIZE = 1000

/**
 * Creates the dataset. A POST whose answer was lost (timeout, dropped
 * connection, 5xx) may have made it anyway, so before each retry after such a
 * failure we look for it: same name, created during this run, still Waiting,
 * and signed for exactly our size and CRC-32C. If it is there we adopt it
 * rather than create a second one.
 */
export async function createDataset(
  ctx: RunContext,
  source: { name: string; sizeBytes: number; crc32c: string }
): Promise<{ dataset: Dataset; adopted: boolean }> {
  const { client, clock } = ctx
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
          core.info(
            `Dataset ${found.id} was created by an attempt whose answer was lost; using it.`
          )
          return { dataset: found, adopted: true }
        }
      }
      try {
        return { dataset: await client.postDataset(body), adopted: false }
      } catch (error) {
        if (NexusClient.isAmbiguous(error)) ambiguous = true
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
      classify: error =>
        NexusClient.isAmbiguous(error) && !apiRetryVerdict(error).retry
          ? { retry: true, reason: (error as Error).message }
          : apiRetryVerdict(error),
      onRetry: ({ attempt, delayMs, reason }) =>
        core.info(
          `Creating the dataset failed (attempt ${attempt}): ${reason}; retrying in ${formatSeconds(delayMs)}.`
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
  const candidates = (await client.listAll(LIST_PAGE_SIZE)).filter(
    d =>
      d.name === name &&
      d.status.overview === WAITING_STATUS &&
      typeof d.createDate === 'number' &&
      d.createDate >= notBefore
  )
  for (const candidate of candidates) {
    const dataset = uploadUrlOf(candidate) ? candidate : await client.getDataset(candidate.id)
    const headers = uploadUrlOf(dataset)?.headers ?? {}
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
    if (
      lower['content-length'] === String(sizeBytes) &&
      lower['x-goog-hash']?.includes(`crc32c=${crc32c}`)
    ) {
      return dataset
    }
  }
  return undefined
}
