import type { UrlSink } from '../ndjson/check.js'
import { openUnchanged, scanFile, type FileScan } from '../ndjson/file-scan.js'
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
  /** Opens the very file that was checked for each upload attempt, or throws if it changed. */
  open(): ReturnType<typeof openUnchanged>
}

/**
 * The one check of the `path` file, for `create` and `check` alike (same messages, annotations
 * and limits): locate it, scan it once (CRC-32C, every line, the items' URLs), annotate bad lines
 * and fail on them, set the outputs size-bytes and crc32c, then check the items' URLs.
 */
export async function checkDatasetFile(ctx: OperationContext): Promise<CheckedFile> {
  const { inputs, clock, log, report } = ctx
  const file = await locateFile(ctx.workspace, inputs.path as string)
  const shown = file.shown
  if (!file.path.toLowerCase().endsWith('.ndjson')) {
    const doing = inputs.operation === 'check' ? 'checking' : 'uploading'
    log.warning(t`${shown} does not end in .ndjson; ${doing} it as NDJSON anyway.`)
  }
  if (file.linkTarget !== undefined) {
    log.info(t`${shown} is a symbolic link to ${file.linkTarget}; following it.`)
  }
  const started = clock.now()
  const urls = itemUrlChecks(ctx)
  const scan = await scanExplained(file.path, shown, inputs.operation, ctx.signal, urls)
  const { sizeBytes, crc32c, items, badLines, problems, cause } = scan
  report.facts.file = { shown, sizeBytes, crc32c, items, badLines, problems, cause }
  report.facts.durations.check = clock.now() - started
  reportBadLines(ctx, scan, shown)
  log.info(
    t`Checked ${shown}: ${scan.items} items, ${formatBytes(scan.sizeBytes)}, CRC-32C ${scan.crc32c} (${readableDuration(report.facts.durations.check)}).`
  )
  report.output('size-bytes', String(scan.sizeBytes))
  report.output('crc32c', scan.crc32c)
  await checkItemUrls(ctx, shown, scan, urls)
  return {
    file,
    scan,
    open: async () => {
      try {
        return await openUnchanged({ path: file.path, name: shown }, scan.identity)
      } catch (error) {
        if (!(error instanceof FileCheckError)) throw error
        throw new FileCheckError(
          t`The file changed after it was checked, before an upload attempt: ${error.message}. Make sure nothing writes it during the step.`,
          error.path
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
      t`${error.message}.${refused(operation, 'check the path input (relative to the workspace) and the file')}`,
      error.path
    )
  }
}

/**
 * The end of a refused file's message, after its full stop: create says that nothing was created
 * (whoever reads the failure wants to know whether Nexus holds anything), then what to do; check
 * never creates anything, so it says only what to do.
 */
function refused(operation: Operation, todo?: string): string {
  if (operation !== 'check')
    return todo ? ` Nothing was created; ${todo}.` : ' Nothing was created.'
  return todo ? ` ${todo.charAt(0).toUpperCase()}${todo.slice(1)}.` : ''
}

function reportBadLines(ctx: OperationContext, scan: FileScan, shownPath: string): void {
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
    throw new FileCheckError(
      t`${shownPath} ${cause.message}.${refused(ctx.inputs.operation)}`,
      shownPath
    )
  }
  for (const problem of scan.problems) {
    ctx.log.annotate(t`${place(shownPath, problem.line, problem.column)}${problem.message}`, {
      title: t`Bad NDJSON line`,
      file: t`${shownPath}`,
      line: problem.line,
      ...(problem.column ? { column: problem.column } : {})
    })
  }
  const first = scan.problems[0]
  const more = scan.badLines > 1 ? ` (${scan.badLines} bad lines in all)` : ''
  throw new FileCheckError(
    t`${shownPath} is not valid NDJSON: line ${first.line}: ${first.message}${more}.${refused(ctx.inputs.operation, 'fix the file and run again')}`,
    shownPath
  )
}
