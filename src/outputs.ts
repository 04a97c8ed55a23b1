import * as core from '@actions/core'
import { isoTime } from './format.js'
import { withoutUploadUrl, type Dataset } from './nexus-types.js'

/**
 * Step outputs. Every dataset that leaves the action goes through
 * withoutUploadUrl: the signed URL is a credential.
 */
export function setOutput(name: string, value: string): void {
  core.setOutput(name, value)
}

export function setDatasetOutputs(dataset: Dataset): void {
  core.setOutput('dataset-id', dataset.id)
  core.setOutput('status', dataset.status.overview)
  core.setOutput('name', dataset.name)
  if (typeof dataset.status.itemCount === 'number') {
    core.setOutput('item-count', String(dataset.status.itemCount))
  }
  const expiry = isoTime(dataset.expiryTime)
  if (expiry) core.setOutput('expiry-time', expiry)
  core.setOutput('dataset', JSON.stringify(withoutUploadUrl(dataset)))
}

/** `datasets` and `count`; list also passes its page cursors (empty after a full walk). */
export function setListOutputs(
  datasets: Dataset[],
  cursors?: { nextPage: string | null; prevPage: string | null }
): void {
  core.setOutput('datasets', JSON.stringify(datasets.map(withoutUploadUrl)))
  core.setOutput('count', String(datasets.length))
  if (cursors) {
    core.setOutput('next-page', cursors.nextPage ?? '')
    core.setOutput('prev-page', cursors.prevPage ?? '')
  }
}
