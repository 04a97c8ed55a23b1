import type { Operation, RunContext } from './context.js'
import { advice } from '../shared/advice.js'
import { DatasetNotReadyError } from '../shared/errors.js'
import { formatSeconds } from '../shared/format.js'
import {
  FAILED_STATUSES,
  READY_STATUS,
  isSettled,
  statusMessage,
  type Dataset
} from '../nexus/types.js'
import { STATUS_SHOWN, shorten, t, type Inert } from '../shared/outside-text.js'

/** The poll interval grows by this factor after each read... */
const GROWTH = 1.5
/** ...up to this (or poll-interval itself, when larger). */
const MAX_INTERVAL_MS = 30_000

/**
 * Re-reads a dataset until it is ready (Uploaded), fails (FailedUpload,
 * FailedProcessing) or `timeout` passes. Every other status, known or not, is
 * "still in progress". However it ends (ready, failed, timed out, cancelled), the
 * last dataset read becomes the step's outputs and summary, with the time waited.
 */
export async function waitUntilReady(
  ctx: RunContext<'create' | 'wait'>,
  first: Dataset
): Promise<Dataset> {
  const { inputs, client, clock, signal, report } = ctx
  const started = clock.now()
  const deadline = started + inputs.timeoutMs
  let interval = inputs.pollIntervalMs
  let dataset = first
  let lastLogged = ''
  try {
    for (;;) {
      const status = dataset.status.overview
      const line = describeStatus(dataset)
      if (line !== lastLogged) {
        ctx.log.info(t`Dataset ${dataset.id}: ${line}`)
        lastLogged = line
      }
      if (status === READY_STATUS) return dataset
      throwIfFailed(dataset, inputs.operation)
      const remaining = deadline - clock.now()
      if (remaining <= 0) throw timedOut(dataset, inputs.timeoutMs)
      await clock.sleep(Math.min(interval, remaining), signal)
      interval = Math.min(interval * GROWTH, Math.max(MAX_INTERVAL_MS, inputs.pollIntervalMs))
      dataset = await client.getDataset(dataset.id)
    }
  } finally {
    report.dataset(dataset)
    // A dataset ready (or failed) at the first read was not waited for.
    if (!isSettled(first)) report.facts.durations.wait = clock.now() - started
  }
}

/** FailedUpload and FailedProcessing are final: no wait makes them ready. */
export function throwIfFailed(dataset: Dataset, operation: Operation): void {
  if (FAILED_STATUSES.includes(dataset.status.overview)) throw failed(dataset, operation)
}

/** A dataset that ended failed; create's own can be made again by running the step again. */
export function failed(dataset: Dataset, operation: Operation): DatasetNotReadyError {
  return new DatasetNotReadyError(
    t`Dataset ${dataset.id} ended in ${dataset.status.overview}${reason(dataset)}.`,
    advice('datasetFailed', statusMessage(dataset), operation === 'create')
  )
}

/** A dataset still in progress when the wait ran out. */
export function timedOut(dataset: Dataset, timeoutMs: number): DatasetNotReadyError {
  return new DatasetNotReadyError(
    t`Timed out after ${formatSeconds(timeoutMs)} waiting for dataset ${dataset.id} to be ready; its last status was ${shorten(dataset.status.overview, STATUS_SHOWN)}${reason(dataset)}.`,
    advice('datasetTimeout', dataset.id)
  )
}

function describeStatus(dataset: Dataset): Inert {
  return t`${shorten(dataset.status.overview)}${reason(dataset)}`
}

function reason(dataset: Dataset): Inert {
  const message = statusMessage(dataset)
  return message ? t` (${shorten(message)})` : t``
}
