import * as core from '@actions/core'
import { lstat, realpath } from 'node:fs/promises'
import * as path from 'node:path'
import type { RunContext } from '../context.js'
import { createDataset } from '../create-dataset.js'
import { defaultDatasetName } from '../dataset-name.js'
import { ActionError, FileCheckError, UploadError } from '../errors.js'
import { openUnchanged, scanFile, type FileScan } from '../file-scan.js'
import { formatBytes } from '../format.js'
import { READY_STATUS, WAITING_STATUS, uploadUrlOf, type Dataset } from '../nexus-types.js'
import { setDatasetOutputs } from '../outputs.js'
import { writeDatasetSummary, type Row } from '../summary.js'
import { maskUploadUrl, uploadFile, type UploadResult } from '../upload.js'
import { throwIfFailed, waitUntilReady } from '../wait-until-ready.js'

/** Deleting the dataset of a failed upload gets this long, with retries... */
const CLEANUP_MS = 60_000
/** ...or this long after a cancel, whatever the run's own state. */
const CANCEL_CLEANUP_MS = 3000

export async function createOperation(ctx: RunContext): Promise<void> {
  const { inputs, client, clock } = ctx
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const filePath = path.resolve(workspace, inputs.path as string)
  const shownPath = displayPath(workspace, filePath)
  if (!filePath.toLowerCase().endsWith('.ndjson')) {
    core.warning(`${shownPath} does not end in .ndjson; uploading it as NDJSON anyway.`)
  }
  await noteSymlink(filePath, shownPath)

  const checkStarted = clock.now()
  const scan = await checkFile(filePath, shownPath, ctx.signal)
  reportBadLines(scan, shownPath)
  core.info(
    `Checked ${shownPath}: ${scan.items} items, ${formatBytes(scan.sizeBytes)}, CRC-32C ${scan.crc32c} (${clock.now() - checkStarted} ms).`
  )

  const name = inputs.name ?? defaultDatasetName()
  const { dataset: created, adopted } = await createDataset(ctx, {
    name,
    sizeBytes: scan.sizeBytes,
    crc32c: scan.crc32c
  })
  const uploadUrl = uploadUrlOf(created)
  if (uploadUrl) maskUploadUrl(uploadUrl)
  let last: Dataset = created
  setDatasetOutputs(last)
  core.info(
    `${adopted ? 'Using' : 'Created'} dataset ${created.id} ${JSON.stringify(created.name)}.`
  )

  let upload: UploadResult
  try {
    // Cancelled while the POST was under way: its answer named the dataset.
    ctx.signal.throwIfAborted()
    if (!uploadUrl) {
      throw new ActionError(
        `Nexus created dataset ${created.id} without an upload URL; it cannot receive the file. Report this to Datature support.`
      )
    }
    upload = await uploadFile({
      uploadUrl,
      openFile: () => openUnchanged({ path: filePath, name: shownPath }, scan.identity),
      sizeBytes: scan.sizeBytes,
      stallTimeoutMs: Math.max(inputs.requestTimeoutMs, 1000),
      policy: client.retryPolicy,
      clock,
      random: ctx.random,
      signal: ctx.signal,
      earlierAttemptLanded: () => nexusSeesUpload(ctx, created.id)
    })
    core.info(
      `Uploaded ${formatBytes(scan.sizeBytes)} in ${(upload.durationMs / 1000).toFixed(1)} s${upload.attempts > 1 ? ` (${upload.attempts} attempts)` : ''}.`
    )
  } catch (error) {
    // 412: the storage holds this exact file (the URL is signed for its CRC),
    // Nexus has just not said so yet. Deleting would throw good bytes away.
    const failure =
      error instanceof UploadError && error.storageCode === 'PreconditionFailed'
        ? { error, deleted: false }
        : await abandon(ctx, created.id, error)
    if (failure.deleted) core.setOutput('deleted', 'true')
    await summarize(
      last,
      scan,
      shownPath,
      undefined,
      `Upload failed: dataset ${last.id} ${failure.deleted ? 'was deleted' : 'is left Waiting'}`
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
      core.info(`Dataset ${last.id} is ${last.status.overview} (wait: false, not waiting).`)
      throwIfFailed(last)
    }
    // Only a ready dataset's count is final; before that Nexus may say 0.
    const counted = last.status.itemCount
    if (last.status.overview === READY_STATUS && counted !== undefined && counted !== scan.items) {
      core.warning(
        `Nexus counted ${counted} items in dataset ${last.id}, but ${shownPath} has ${scan.items} non-blank lines.`
      )
    }
  } finally {
    setDatasetOutputs(last)
    await summarize(
      last,
      scan,
      shownPath,
      upload,
      `Nexus dataset ${last.id}: ${last.status.overview}`
    )
  }
}

/** Nexus notices a landed upload asynchronously: re-read for up to a minute. */
const LANDED_CONFIRM_MS = 60_000

async function nexusSeesUpload(ctx: RunContext, datasetId: string): Promise<boolean> {
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
  datasetId: string,
  error: unknown
): Promise<{ error: unknown; deleted: boolean }> {
  try {
    // After a cancel the runner's kill is seconds away; otherwise retry as usual.
    const budget = ctx.signal.aborted ? CANCEL_CLEANUP_MS : CLEANUP_MS
    await ctx.client.deleteDataset(datasetId, AbortSignal.timeout(budget))
    core.info(`Deleted dataset ${datasetId}: its file never arrived.`)
    return { error, deleted: true }
  } catch (deleteError) {
    const why = deleteError instanceof Error ? deleteError.message : String(deleteError)
    const message = error instanceof Error ? error.message : String(error)
    return {
      error: new ActionError(
        `${message} Dataset ${datasetId} could not be deleted afterwards (${why}); delete it in Nexus.`
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
      `${error.message}. Nothing was created; check the path input (relative to the workspace) and the file.`,
      error.path
    )
  }
}

function reportBadLines(scan: FileScan, shownPath: string): void {
  if (scan.badLines === 0) return
  for (const problem of scan.problems) {
    core.error(problem.message, {
      title: 'Bad NDJSON line',
      file: shownPath,
      startLine: problem.line,
      ...(problem.column ? { startColumn: problem.column } : {})
    })
  }
  const first = scan.problems[0]
  const more = scan.badLines > 1 ? ` (${scan.badLines} bad lines in all)` : ''
  throw new FileCheckError(
    `${shownPath} is not valid NDJSON: line ${first.line}: ${first.message}${more}. Nothing was created; fix the file and run again.`,
    shownPath
  )
}

async function noteSymlink(filePath: string, shownPath: string): Promise<void> {
  try {
    if ((await lstat(filePath)).isSymbolicLink()) {
      core.info(`${shownPath} is a symbolic link to ${await realpath(filePath)}; following it.`)
    }
  } catch {
    // A missing file is reported by the scan, with its own clear message.
  }
}

async function summarize(
  dataset: Dataset,
  scan: FileScan,
  shownPath: string,
  upload: UploadResult | undefined,
  heading: string
): Promise<void> {
  const rows: Row[] = [
    ['File', shownPath],
    ['Size', formatBytes(scan.sizeBytes)],
    ['CRC-32C', scan.crc32c],
    ['Items counted', String(scan.items)]
  ]
  if (upload) {
    rows.push(['Upload time', `${(upload.durationMs / 1000).toFixed(2)} s`])
    if (upload.bytesPerSecond > 0) {
      rows.push(['Throughput', `${(upload.bytesPerSecond / 1048576).toFixed(1)} MiB/s`])
    }
  }
  await writeDatasetSummary(heading, dataset, rows)
}

/** Annotations and messages use the path relative to the workspace when it is inside. */
function displayPath(workspace: string, filePath: string): string {
  const relative = path.relative(workspace, filePath)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative)
    ? relative.split(path.sep).join('/')
    : filePath
}
