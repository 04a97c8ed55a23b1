import * as core from '@actions/core'
import { withoutUploadUrl, type Dataset } from '../nexus/types.js'
import type { PageCursors } from '../operations/context.js'
import type { OutputName } from '../shared/action-yml.js'
import { isoTime } from '../shared/format.js'

/**
 * Step outputs. Every dataset that leaves the action goes through
 * withoutUploadUrl: the signed URL is a credential.
 */
export function setOutput(name: OutputName, value: string): void {
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

/** `datasets` and `count`; list also passes its page cursors (empty after a full walk). */
export function setListOutputs(datasets: Dataset[], cursors?: PageCursors): void {
  setOutput('datasets', JSON.stringify(datasets.map(withoutUploadUrl)))
  setOutput('count', String(datasets.length))
  if (cursors) {
    setOutput('next-page', cursors.nextPage ?? '')
    setOutput('prev-page', cursors.prevPage ?? '')
  }
}
