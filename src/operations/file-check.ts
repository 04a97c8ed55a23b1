import type { UrlSink } from '../ndjson/check.js'
import { openUnchanged, scanFile, scannedBytes, type FileScan } from '../ndjson/file-scan.js'
import { causeParts, type FileCause } from '../ndjson/file-cause.js'
import type { UploadBody } from '../nexus/upload.js'
import { advice } from '../shared/advice.js'
import { FileCheckError } from '../shared/errors.js'
import { formatBytes, readableDuration } from '../shared/format.js'
import { t } from '../shared/outside-text.js'
import type { Operation, OperationContext } from './context.js'
import { locateFile, type FileLocation } from './file-location.js'
import { checkItemUrls, itemUrlChecks } from './item-urls.js'
import { place } from './place.js'

/** A dataset file that passed the check: where it is, what it holds. */
export interface CheckedFile {
  file: FileLocation
  scan: FileScan
  /**
   * Opens the very file that was checked for each upload attempt, or throws if it changed: the
   * bytes that were checked (a gzip file's decompressed NDJSON).
   */
  openBody(): Promise<UploadBody>
}

/**
 * The one check of the `path` file, for `create` and `check` alike (same messages, annotations
 * and limits): locate it, scan it once (CRC-32C, every line, the items' URLs), annotate bad lines
 * and fail on them, set the outputs size-bytes and crc32c, then check the items' URLs.
 */
export async function checkDatasetFile(
  ctx: OperationContext<'check' | 'create'>
): Promise<CheckedFile> {
  const { inputs, clock, log, report } = ctx
  const file = await locateFile(ctx.workspace, inputs.path)
  const shown = file.shown
  if (!/\.ndjson(\.gz)?$/i.test(file.path)) {
    const doing = inputs.operation === 'check' ? 'checking' : 'uploading'
    log.warning(t`${shown} does not end in .ndjson; ${doing} it as NDJSON anyway.`)
  }
  if (file.linkTarget !== undefined) {
    log.info(t`${shown} is a symbolic link to ${file.linkTarget}; following it.`)
  }
  const started = clock.now()
  const urls = itemUrlChecks(ctx)
  const scan = await scanExplained(file.path, shown, inputs.operation, ctx.signal, urls)
  const { sizeBytes, gzipBytes, crc32c, items, badLines, problems, cause } = scan
  report.facts.file = { shown, sizeBytes, gzipBytes, crc32c, items, badLines, problems, cause }
  report.facts.durations.check = clock.now() - started
  reportBadLines(ctx, scan, shown)
  const decompressed =
    gzipBytes === undefined ? '' : ` (decompressed from gzip, ${formatBytes(gzipBytes)} on disk)`
  log.info(
    t`Checked ${shown}: ${scan.items} items, ${formatBytes(scan.sizeBytes)}${decompressed}, CRC-32C ${scan.crc32c} (${readableDuration(report.facts.durations.check)}).`
  )
  report.output('size-bytes', String(scan.sizeBytes))
  report.output('crc32c', scan.crc32c)
  await checkItemUrls(ctx, shown, scan, urls)
  return {
    file,
    scan,
    openBody: async () => {
      try {
        const handle = await openUnchanged({ path: file.path, name: shown }, scan.identity)
        return { read: () => scannedBytes(handle, scan, shown), close: () => handle.close() }
      } catch (error) {
        if (!(error instanceof FileCheckError)) throw error
        throw new FileCheckError(
          t`The file changed after it was checked, before an upload attempt: ${error.what}.`,
          error.path,
          advice('fileChanged')
        )
      }
    }
  }
}

/** Scans the file; its errors name the path as the user wrote it, with what to do. */
async function scanExplained(
  filePath: string,
  shownPath: string,
  operation: Operation,
  signal: AbortSignal,
  urls: UrlSink
): Promise<FileScan> {
  try {
    return await scanFile(filePath, { signal, label: shownPath, urls })
  } catch (error) {
    if (!(error instanceof FileCheckError)) throw error
    throw new FileCheckError(
      t`${error.what}.${nothingCreated(operation)}`,
      error.path,
      error.advice ?? advice('fileUnusable')
    )
  }
}

/**
 * After a refused file's finding, before what to do: create says that nothing was created (whoever
 * reads the failure wants to know whether Nexus holds anything); check never creates anything.
 */
function nothingCreated(operation: Operation): string {
  return operation === 'check' ? '' : ' Nothing was created.'
}

function reportBadLines(
  ctx: OperationContext<'check' | 'create'>,
  scan: FileScan,
  shownPath: string
): void {
  if (scan.badLines === 0) return
  const { cause } = scan
  if (cause !== undefined) {
    // The file is in the wrong format as a whole: its one cause says more than its bad lines.
    if (cause.line !== undefined) {
      ctx.log.annotate(t`${place(shownPath, cause.line, cause.column)}${cause.message}`, {
        title: t`Bad NDJSON file`,
        file: t`${shownPath}`,
        line: cause.line,
        ...(cause.column ? { column: cause.column } : {})
      })
    }
    throw wrongFormat(shownPath, cause, ctx.inputs.operation)
  }
  for (const problem of scan.problems) {
    ctx.log.annotate(t`${place(shownPath, problem.line, problem.column)}${problem.message}`, {
      title: t`Bad NDJSON line`,
      file: t`${shownPath}`,
      line: problem.line,
      ...(problem.column ? { column: problem.column } : {})
    })
  }
  throw badLines(shownPath, scan, ctx.inputs.operation)
}

/** A file in the wrong format as a whole: what it is, then what to do (its cause's two halves). */
export function wrongFormat(
  shownPath: string,
  cause: FileCause,
  operation: Operation
): FileCheckError {
  const { what, fix } = causeParts(cause)
  return new FileCheckError(
    t`${shownPath} ${what}.${nothingCreated(operation)}`,
    shownPath,
    advice('wrongFormat', shownPath, what, fix)
  )
}

/** A file with bad lines: the first, and how many in all. */
export function badLines(
  shownPath: string,
  scan: Pick<FileScan, 'badLines' | 'items' | 'problems'>,
  operation: Operation
): FileCheckError {
  const first = scan.problems[0]
  const more = scan.badLines > 1 ? ` (${scan.badLines} bad lines in all)` : ''
  return new FileCheckError(
    t`${shownPath} is not valid NDJSON: line ${first.line}: ${first.message}${more}.${nothingCreated(operation)}`,
    shownPath,
    advice('badLines', scan.badLines, scan.items, operation === 'check')
  )
}
