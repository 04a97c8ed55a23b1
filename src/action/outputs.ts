import * as core from '@actions/core'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { withoutUploadUrl, type Dataset } from '../nexus/types.js'
import type { PageCursors } from '../operations/context.js'
import type { OutputName } from '../shared/action-yml.js'
import { errorMessage } from '../shared/errors.js'
import { formatBytes, isoTime } from '../shared/format.js'
import { redact, t } from '../shared/outside-text.js'
import { log } from './log.js'

/**
 * GitHub's limit for one output: a larger one makes the expression that reads it fail (and all
 * outputs of a run share 50 MB). Counted in UTF-8 bytes.
 */
export const MAX_OUTPUT_BYTES = 1_000_000

/**
 * Step outputs. Every dataset that leaves the action goes through withoutUploadUrl, and every
 * value through redact: the secret key and the signed URL are credentials, and the API may repeat
 * either in a dataset's name or status message. Otherwise outputs carry the API's text as it came.
 */
export function setOutput(name: OutputName, rawValue: string): void {
  const value = redact(rawValue)
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes > MAX_OUTPUT_BYTES) {
    // Only an answer far from what the API documents gets here (datasets has its own rule).
    log.warning(
      t`Output ${name} would be ${formatBytes(bytes)}, over GitHub's limit of 1 MB for one output; it is left empty.`
    )
    core.setOutput(name, '')
    return
  }
  core.setOutput(name, value)
}

export function setDatasetOutputs(dataset: Dataset): void {
  setOutput('dataset-id', dataset.id)
  setOutput('status', dataset.status.overview)
  setOutput('name', dataset.name)
  if (typeof dataset.status.itemCount === 'number') {
    setOutput('item-count', String(dataset.status.itemCount))
  }
  const expiry = isoTime(dataset.expiryTime)
  if (expiry) setOutput('expiry-time', expiry)
  setOutput('dataset', JSON.stringify(withoutUploadUrl(dataset)))
}

/**
 * `datasets` (as many as fit in one output, in the order listed), `datasets-truncated`,
 * `datasets-file` (all of them, in a JSON file under RUNNER_TEMP) and `count`; list also passes
 * its page cursors (empty after a full walk).
 */
export function setListOutputs(datasets: Dataset[], cursors?: PageCursors): void {
  // Redacted one by one: the sizes below are those of the text that goes out, file included.
  const items = datasets.map(d => redact(JSON.stringify(withoutUploadUrl(d))))
  let size = 2 // the brackets
  let fit = 0
  for (const item of items) {
    size += Buffer.byteLength(item, 'utf8') + (fit > 0 ? 1 : 0)
    if (size > MAX_OUTPUT_BYTES) break
    fit++
  }
  setOutput('datasets', `[${items.slice(0, fit).join(',')}]`)
  setOutput('datasets-truncated', String(fit < items.length))
  setOutput('count', String(datasets.length))
  if (cursors) {
    setOutput('next-page', cursors.nextPage ?? '')
    setOutput('prev-page', cursors.prevPage ?? '')
  }
  // After the outputs above: a file that cannot be written must not cost the step its outputs
  // (cleanup has already deleted what it lists).
  let file = ''
  try {
    file = writeDatasetsFile(items)
  } catch (error) {
    log.warning(
      t`Could not write the datasets file (output datasets-file is empty): ${errorMessage(error)}`
    )
  }
  setOutput('datasets-file', file)
  if (fit < items.length) {
    log.warning(
      t`Output datasets holds the first ${fit} of ${items.length} datasets: all of them would be over GitHub's limit of 1 MB for one output (datasets-truncated is true).${file ? t` All ${items.length} are in ${file} (output datasets-file).` : ''}`
    )
  }
}

/** A fresh folder per call, so two steps of one job never share the file. */
function writeDatasetsFile(items: string[]): string {
  const folder = mkdtempSync(path.join(process.env.RUNNER_TEMP || tmpdir(), 'nexus-datasets-'))
  const file = path.join(folder, 'datasets.json')
  writeFileSync(file, `[${items.join(',')}]`)
  return file
}
