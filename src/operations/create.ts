import { createDataset } from '../nexus/create-dataset.js'
import {
  READY_STATUS,
  WAITING_STATUS,
  uploadUrlOf,
  type Dataset,
  type DatasetId
} from '../nexus/types.js'
import { uploadFile, type UploadResult } from '../nexus/upload.js'
import { maskUploadUrl } from '../nexus/upload-plan.js'
import { advice } from '../shared/advice.js'
import {
  ActionError,
  DatasetExistsError,
  UploadUnconfirmedError,
  whatHappened
} from '../shared/errors.js'
import { formatBytes, readableDuration } from '../shared/format.js'
import { afterGrace } from '../shared/signals.js'
import { NAME_SHOWN, STATUS_SHOWN, quote, shorten, t } from '../shared/outside-text.js'
import type { RunContext } from './context.js'
import { describeNamesake, findNamesakes, warnRejected } from './dataset-selection.js'
import { checkDatasetFile, type CheckedFile } from './file-check.js'
import { throwIfFailed, waitUntilReady } from './wait-until-ready.js'

/** Deleting the dataset of a failed upload gets this long, with retries... */
const CLEANUP_MS = 60_000
/** ...or this long after a cancel, whatever the run's own state. */
const CANCEL_CLEANUP_MS = 3000

export async function createOperation(ctx: RunContext<'create'>): Promise<void> {
  const { inputs, client, log, report } = ctx
  const checked = await checkDatasetFile(ctx)
  const name = inputs.name
  report.output('reused', 'false')

  if (inputs.ifExists !== 'create') {
    const reusable = await lookForNamesake(ctx, name)
    if (reusable) {
      report.reused(reusable)
      await finish(ctx, checked, reusable)
      return
    }
  }

  const unanswered = (): void => {
    report.facts.unansweredCreate = { name }
  }
  const { dataset: created, adopted } = await createDataset(
    { ...ctx, onUnanswered: unanswered },
    { name, sizeBytes: checked.scan.sizeBytes, crc32c: checked.scan.crc32c }
  ).catch((error: unknown) => {
    // A cancel may cut the POST past its grace, answer unread.
    if (ctx.signal.aborted) unanswered()
    throw error
  })
  // From here until the file has landed, any failure (a refused upload, a cancel, outputs that
  // cannot be written, a bug) deletes the dataset: nothing else would ever fill it.
  let uploadStarted: number | undefined
  try {
    const uploadUrl = uploadUrlOf(created)
    if (uploadUrl) maskUploadUrl(uploadUrl, log)
    report.dataset(created)
    log.info(
      t`${adopted ? 'Using' : 'Created'} dataset ${created.id} ${quote(created.name, NAME_SHOWN)}.`
    )
    uploadStarted = ctx.clock.now()
    // Cancelled while the POST was under way: its answer named the dataset.
    ctx.signal.throwIfAborted()
    if (!uploadUrl) {
      throw new ActionError(
        t`Nexus created dataset ${created.id} without an upload URL; it cannot receive the file.`,
        advice('noUploadUrl')
      )
    }
    const upload: UploadResult = await uploadFile({
      uploadUrl,
      openBody: checked.openBody,
      sizeBytes: checked.scan.sizeBytes,
      stallTimeoutMs: Math.max(inputs.requestTimeoutMs, 1000),
      apiUrl: client.apiUrl,
      policy: client.retryPolicy,
      clock: ctx.clock,
      random: ctx.random,
      signal: ctx.signal,
      log,
      confirmEarlierLanding: () => confirmLanding(ctx, created.id)
    })
    report.facts.durations.upload = upload.durationMs
    report.facts.upload = { bytesPerSecond: upload.bytesPerSecond, attempts: upload.attempts }
    log.info(
      t`Uploaded ${formatBytes(checked.scan.sizeBytes)} in ${readableDuration(upload.durationMs)}${upload.attempts > 1 ? ` (${upload.attempts} attempts)` : ''}.`
    )
  } catch (error) {
    // A failed upload's time says where the step's time went.
    if (uploadStarted !== undefined) {
      report.facts.durations.upload = ctx.clock.now() - uploadStarted
    }
    // The storage holds this very file, Nexus has just not said so: deleting would lose it.
    const failure =
      error instanceof UploadUnconfirmedError
        ? { error, deleted: false }
        : await abandon(ctx, created.id, error)
    if (failure.deleted) report.deleted()
    throw failure.error
  }

  await finish(ctx, checked, await client.getDataset(created.id))
}

/**
 * With if-exists reuse or fail: the not-expired datasets that already have this name. fail stops
 * at the first; reuse returns the newest that is past Waiting and not failed (its file landed,
 * so no upload is needed), and names the ones it passes over.
 */
async function lookForNamesake(
  ctx: RunContext<'create'>,
  name: string
): Promise<Dataset | undefined> {
  const { inputs, client, clock, log } = ctx
  const listing = await client.listAll()
  warnRejected(log, listing.rejected)
  const namesakes = findNamesakes(listing.datasets, name, clock.now())
  if (inputs.ifExists === 'fail') {
    const [newest] = namesakes.all
    if (newest === undefined) return undefined
    const others = namesakes.all.length > 1 ? ` (and ${namesakes.all.length - 1} more)` : ''
    throw new DatasetExistsError(
      t`A dataset named ${quote(name, NAME_SHOWN)} already exists in project ${client.projectId}: ${newest.id}, ${shorten(newest.status.overview, STATUS_SHOWN)}${others}. Nothing was created (if-exists: fail).`
    )
  }
  for (const { dataset, reason } of namesakes.passedOver) {
    log.info(t`Not reusing dataset ${dataset.id} ${quote(name, NAME_SHOWN)}: ${reason}.`)
  }
  const { reusable } = namesakes
  if (reusable === undefined) {
    log.info(t`No dataset named ${quote(name, NAME_SHOWN)} can be reused: creating one.`)
    return undefined
  }
  log.info(
    t`Reusing dataset ${reusable.id} ${quote(name, NAME_SHOWN)} (if-exists: reuse): ${describeNamesake(reusable)}. Nothing is created or uploaded.`
  )
  return reusable
}

/** After the upload (or for a reused dataset): wait as asked, check the count. */
async function finish(
  ctx: RunContext<'create'>,
  checked: CheckedFile,
  first: Dataset
): Promise<void> {
  const { inputs, log, report } = ctx
  let last = first
  if (inputs.wait) {
    last = await waitUntilReady(ctx, first)
  } else {
    report.dataset(first)
    log.info(
      t`Dataset ${first.id} is ${shorten(first.status.overview, STATUS_SHOWN)} (wait: false, not waiting).`
    )
    throwIfFailed(first, inputs.operation)
  }
  // Only a ready dataset's count is final; before that Nexus may say 0.
  const counted = last.status.itemCount
  const items = checked.scan.items
  if (last.status.overview === READY_STATUS && counted !== undefined && counted !== items) {
    log.warning(
      t`Nexus counted ${counted} items in dataset ${last.id}, but ${checked.file.shown} has ${items} non-blank lines.`
    )
  }
}

/** Nexus notices a landed upload asynchronously: re-read for up to a minute. */
const LANDED_CONFIRM_MS = 60_000

/**
 * The storage answered 412: it holds this very file (an earlier attempt landed, its answer lost).
 * Resolves once Nexus shows the dataset past Waiting; otherwise the dataset is kept, unconfirmed.
 */
async function confirmLanding(ctx: RunContext<'create'>, datasetId: DatasetId): Promise<void> {
  const { client, clock } = ctx
  const deadline = clock.now() + Math.min(LANDED_CONFIRM_MS, ctx.inputs.timeoutMs)
  const landed = t`The storage already holds the file (an earlier attempt landed)`
  try {
    for (let interval = 500; ; interval = Math.min(interval * 2, 8000)) {
      if ((await client.getDataset(datasetId)).status.overview !== WAITING_STATUS) return
      const remaining = deadline - clock.now()
      if (remaining <= 0) break
      await clock.sleep(Math.min(interval, remaining), ctx.signal)
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error
    throw new UploadUnconfirmedError(
      t`${landed}, but Nexus could not be asked whether it took it: ${whatHappened(error)} Dataset ${datasetId} is kept.`,
      datasetId
    )
  }
  throw new UploadUnconfirmedError(
    t`${landed}, but a minute later Nexus still shows dataset ${datasetId} Waiting; it is kept.`,
    datasetId
  )
}

/**
 * The upload failed or the run was cancelled: delete the dataset this run
 * created, so no empty dataset is left waiting for bytes that never come.
 * Returns the error to fail with.
 */
async function abandon(
  ctx: RunContext<'create'>,
  datasetId: DatasetId,
  error: unknown
): Promise<{ error: unknown; deleted: boolean }> {
  try {
    // After a cancel the runner's kill is seconds away; otherwise retry as usual, until a cancel
    // comes, which leaves the same few seconds.
    const signal = ctx.signal.aborted
      ? AbortSignal.timeout(CANCEL_CLEANUP_MS)
      : AbortSignal.any([
          AbortSignal.timeout(CLEANUP_MS),
          afterGrace(ctx.signal, CANCEL_CLEANUP_MS)
        ])
    await ctx.client.deleteDataset(datasetId, signal)
    ctx.log.info(t`Deleted dataset ${datasetId}: its file never arrived.`)
    return { error, deleted: true }
  } catch (deleteError) {
    const more = t`Dataset ${datasetId} could not be deleted afterwards (${whatHappened(deleteError)}); delete it in Nexus.`
    return {
      error:
        error instanceof ActionError
          ? error.adding(more)
          : new ActionError(t`${whatHappened(error)} ${more}`),
      deleted: false
    }
  }
}
