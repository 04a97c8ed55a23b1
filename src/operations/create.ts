import { createDataset } from '../nexus/create-dataset.js'
import type { Row, RunContext } from './context.js'
import { ActionError, FileCheckError, UploadError } from '../shared/errors.js'
import { locateFile } from './file-location.js'
import { openUnchanged, scanFile, type FileScan } from '../ndjson/file-scan.js'
import { formatBytes } from '../shared/format.js'
import {
  READY_STATUS,
  WAITING_STATUS,
  uploadUrlOf,
  type Dataset,
  type DatasetId
} from '../nexus/types.js'
import { t, type Inert } from '../shared/outside-text.js'
import { maskUploadUrl, uploadFile, type UploadResult } from '../nexus/upload.js'
import { throwIfFailed, waitUntilReady } from './wait-until-ready.js'

/** Deleting the dataset of a failed upload gets this long, with retries... */
const CLEANUP_MS = 60_000
/** ...or this long after a cancel, whatever the run's own state. */
const CANCEL_CLEANUP_MS = 3000

export async function createOperation(ctx: RunContext): Promise<void> {
  const { inputs, client, clock, log, report } = ctx
  const file = await locateFile(ctx.workspace, inputs.path as string)
  const shownPath = file.shown
  if (!file.path.toLowerCase().endsWith('.ndjson')) {
    log.warning(t`${shownPath} does not end in .ndjson; uploading it as NDJSON anyway.`)
  }
  if (file.linkTarget !== undefined) {
    log.info(t`${shownPath} is a symbolic link to ${file.linkTarget}; following it.`)
  }

  const checkStarted = clock.now()
  const scan = await checkFile(file.path, shownPath, ctx.signal)
  reportBadLines(ctx, scan, shownPath)
  log.info(
    t`Checked ${shownPath}: ${scan.items} items, ${formatBytes(scan.sizeBytes)}, CRC-32C ${scan.crc32c} (${clock.now() - checkStarted} ms).`
  )

  const name = inputs.name as string
  const { dataset: created, adopted } = await createDataset(ctx, {
    name,
    sizeBytes: scan.sizeBytes,
    crc32c: scan.crc32c
  })
  const uploadUrl = uploadUrlOf(created)
  if (uploadUrl) maskUploadUrl(uploadUrl, log)
  let last: Dataset = created
  report.dataset(last)
  log.info(
    t`${adopted ? 'Using' : 'Created'} dataset ${created.id} ${JSON.stringify(created.name)}.`
  )

  let upload: UploadResult
  try {
    // Cancelled while the POST was under way: its answer named the dataset.
    ctx.signal.throwIfAborted()
    if (!uploadUrl) {
      throw new ActionError(
        t`Nexus created dataset ${created.id} without an upload URL; it cannot receive the file. Report this to Datature support.`
      )
    }
    upload = await uploadFile({
      uploadUrl,
      openFile: () => openUnchanged({ path: file.path, name: shownPath }, scan.identity),
      sizeBytes: scan.sizeBytes,
      stallTimeoutMs: Math.max(inputs.requestTimeoutMs, 1000),
      apiUrl: inputs.apiUrl,
      policy: client.retryPolicy,
      clock,
      random: ctx.random,
      signal: ctx.signal,
      log,
      earlierAttemptLanded: () => nexusSeesUpload(ctx, created.id)
    })
    log.info(
      t`Uploaded ${formatBytes(scan.sizeBytes)} in ${(upload.durationMs / 1000).toFixed(1)} s${upload.attempts > 1 ? ` (${upload.attempts} attempts)` : ''}.`
    )
  } catch (error) {
    // 412: the storage holds this exact file (the URL is signed for its CRC),
    // Nexus has just not said so yet. Deleting would throw good bytes away.
    const failure =
      error instanceof UploadError && error.storageCode === 'PreconditionFailed'
        ? { error, deleted: false }
        : await abandon(ctx, created.id, error)
    if (failure.deleted) report.output('deleted', 'true')
    await summarize(
      ctx,
      last,
      scan,
      shownPath,
      undefined,
      t`Upload failed: dataset ${last.id} ${failure.deleted ? 'was deleted' : 'is left Waiting'}`
    )
    throw failure.error
  }

  try {
    last = await client.getDataset(created.id)
    if (inputs.wait) {
      last = await waitUntilReady(ctx, last, dataset => {
        last = dataset
      })
    } else {
      log.info(t`Dataset ${last.id} is ${last.status.overview} (wait: false, not waiting).`)
      throwIfFailed(last)
    }
    // Only a ready dataset's count is final; before that Nexus may say 0.
    const counted = last.status.itemCount
    if (last.status.overview === READY_STATUS && counted !== undefined && counted !== scan.items) {
      log.warning(
        t`Nexus counted ${counted} items in dataset ${last.id}, but ${shownPath} has ${scan.items} non-blank lines.`
      )
    }
  } finally {
    report.dataset(last)
    await summarize(
      ctx,
      last,
      scan,
      shownPath,
      upload,
      t`Nexus dataset ${last.id}: ${last.status.overview}`
    )
  }
}

/** Nexus notices a landed upload asynchronously: re-read for up to a minute. */
const LANDED_CONFIRM_MS = 60_000

async function nexusSeesUpload(ctx: RunContext, datasetId: DatasetId): Promise<boolean> {
  const { client, clock } = ctx
  const deadline = clock.now() + Math.min(LANDED_CONFIRM_MS, ctx.inputs.timeoutMs)
  for (let interval = 500; ; interval = Math.min(interval * 2, 8000)) {
    if ((await client.getDataset(datasetId)).status.overview !== WAITING_STATUS) return true
    const remaining = deadline - clock.now()
    if (remaining <= 0) return false
    await clock.sleep(Math.min(interval, remaining), ctx.signal)
  }
}

/**
 * The upload failed or the run was cancelled: delete the dataset this run
 * created, so no empty dataset is left waiting for bytes that never come.
 * Returns the error to fail with.
 */
async function abandon(
  ctx: RunContext,
  datasetId: DatasetId,
  error: unknown
): Promise<{ error: unknown; deleted: boolean }> {
  try {
    // After a cancel the runner's kill is seconds away; otherwise retry as usual.
    const budget = ctx.signal.aborted ? CANCEL_CLEANUP_MS : CLEANUP_MS
    await ctx.client.deleteDataset(datasetId, AbortSignal.timeout(budget))
    ctx.log.info(t`Deleted dataset ${datasetId}: its file never arrived.`)
    return { error, deleted: true }
  } catch (deleteError) {
    const why = deleteError instanceof Error ? deleteError.message : String(deleteError)
    const message = error instanceof Error ? error.message : String(error)
    return {
      error: new ActionError(
        t`${message} Dataset ${datasetId} could not be deleted afterwards (${why}); delete it in Nexus.`
      ),
      deleted: false
    }
  }
}

/** Scans the file; its errors name the path as the user wrote it, with what to do. */
async function checkFile(
  filePath: string,
  shownPath: string,
  signal: AbortSignal
): Promise<FileScan> {
  try {
    return await scanFile(filePath, { signal, label: shownPath })
  } catch (error) {
    if (!(error instanceof FileCheckError)) throw error
    throw new FileCheckError(
      t`${error.message}. Nothing was created; check the path input (relative to the workspace) and the file.`,
      error.path
    )
  }
}

function reportBadLines(ctx: RunContext, scan: FileScan, shownPath: string): void {
  if (scan.badLines === 0) return
  for (const problem of scan.problems) {
    ctx.log.annotate(t`${problem.message}`, {
      title: t`Bad NDJSON line`,
      file: t`${shownPath}`,
      line: problem.line,
      ...(problem.column ? { column: problem.column } : {})
    })
  }
  const first = scan.problems[0]
  const more = scan.badLines > 1 ? ` (${scan.badLines} bad lines in all)` : ''
  throw new FileCheckError(
    t`${shownPath} is not valid NDJSON: line ${first.line}: ${first.message}${more}. Nothing was created; fix the file and run again.`,
    shownPath
  )
}

async function summarize(
  ctx: RunContext,
  dataset: Dataset,
  scan: FileScan,
  shownPath: string,
  upload: UploadResult | undefined,
  heading: Inert
): Promise<void> {
  const rows: Row[] = [
    [t`File`, t`${shownPath}`],
    [t`Size`, t`${formatBytes(scan.sizeBytes)}`],
    [t`CRC-32C`, t`${scan.crc32c}`],
    [t`Items counted`, t`${scan.items}`]
  ]
  if (upload) {
    rows.push([t`Upload time`, t`${(upload.durationMs / 1000).toFixed(2)} s`])
    if (upload.bytesPerSecond > 0) {
      rows.push([t`Throughput`, t`${(upload.bytesPerSecond / 1048576).toFixed(1)} MiB/s`])
    }
  }
  await ctx.report.datasetSummary(heading, dataset, rows)
}
