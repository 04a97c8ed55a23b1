import { BadAnswerError } from '../shared/errors.js'
import { quote, t, type Inert } from '../shared/outside-text.js'

/**
 * The wire form of the Nexus batch-datasets API (camelCase, times in epoch ms),
 * and the checks that turn an untrusted answer into one. Fields the action
 * relies on are checked; the rest pass through untouched so outputs show the
 * dataset exactly as the API gave it.
 */
export const READY_STATUS = 'Uploaded'
export const FAILED_STATUSES: readonly string[] = ['FailedUpload', 'FailedProcessing']
export const WAITING_STATUS = 'Waiting'

/** Nexus's words on a dataset's status, when they say more than the status itself. */
export function statusMessage(dataset: Dataset): string | undefined {
  const { overview, message } = dataset.status
  return message && message !== overview ? message : undefined
}

/** Ready or failed: no wait changes it. Every other status, known or not, is still in progress. */
export function isSettled(dataset: Dataset): boolean {
  const status = dataset.status.overview
  return status === READY_STATUS || FAILED_STATUSES.includes(status)
}
export const SOURCE_KIND = 'UploadedNewlineDelimitedJsonFile'

declare const datasetIdBrand: unique symbol
/**
 * A dataset id checked against the documented shape (`dataset_` and a UUID-like tail): the only
 * kind of id a request URL is ever built from, so an answer naming `..` cannot steer a DELETE.
 */
export type DatasetId = string & { readonly [datasetIdBrand]: true }

const DATASET_ID = /^dataset_[A-Za-z0-9-]{1,128}$/

export function isDatasetId(value: unknown): value is DatasetId {
  return typeof value === 'string' && DATASET_ID.test(value)
}

export interface UploadUrl {
  method: string
  url: string
  headers: Record<string, string>
  expiresAtTime?: number
}

export interface DatasetStatus {
  overview: string
  message?: string
  updateTime?: number
  itemCount?: number
  source?: { kind?: string; uploadUrl?: UploadUrl }
}

export interface Dataset {
  id: DatasetId
  object?: string
  name: string
  projectId?: string
  expiryTime?: number
  status: DatasetStatus
  createDate?: number
  updateDate?: number
}

export interface DatasetPage {
  nextPage: string | null
  prevPage: string | null
  data: Dataset[]
}

/** An entry of a listing that is not a dataset as the API promises it: skipped, and said so. */
export interface RejectedEntry {
  /** 1-based position in the listing. */
  position: number
  problem: Inert
}

/** A page as read: the datasets that check out, and the entries that do not. */
export interface CheckedPage extends DatasetPage {
  rejected: RejectedEntry[]
}

export interface DeleteAnswer {
  id: string
  deleted: boolean
}

export interface CreateDatasetBody {
  name: string
  spec: { source: { kind: typeof SOURCE_KIND; sizeBytes: number; crc32c: string } }
}

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(what: string, problem: Inert): never {
  throw new BadAnswerError(
    t`The Nexus API's answer to ${what} is not what it promises: ${problem}.`
  )
}

/** Why a value is not a dataset as the API promises it, or undefined when it is one. */
function datasetProblem(value: unknown): Inert | undefined {
  if (!isObject(value)) return t`expected a dataset object`
  if (typeof value.id !== 'string' || value.id === '') return t`the dataset has no id`
  if (!isDatasetId(value.id)) {
    return t`the dataset id ${quote(value.id)} is not dataset_ followed by letters, digits and hyphens`
  }
  const id = value.id
  if (typeof value.name !== 'string') return t`dataset ${id} has no name`
  const status = value.status
  if (!isObject(status) || typeof status.overview !== 'string') {
    return t`dataset ${id} has no status.overview`
  }
  for (const [field, v] of [
    ['expiryTime', value.expiryTime],
    ['createDate', value.createDate],
    ['status.itemCount', status.itemCount]
  ] as const) {
    if (v !== undefined && v !== null && typeof v !== 'number') return t`${field} is not a number`
  }
  if (
    status.message !== undefined &&
    status.message !== null &&
    typeof status.message !== 'string'
  ) {
    return t`status.message is not a string`
  }
  const source = status.source
  if (isObject(source) && source.uploadUrl !== undefined && source.uploadUrl !== null) {
    const uploadUrl = source.uploadUrl
    if (
      !isObject(uploadUrl) ||
      typeof uploadUrl.method !== 'string' ||
      typeof uploadUrl.url !== 'string' ||
      !isObject(uploadUrl.headers) ||
      !Object.values(uploadUrl.headers).every(v => typeof v === 'string')
    ) {
      return t`status.source.uploadUrl is not a method, url and string headers`
    }
  }
  return undefined
}

export function parseDataset(value: unknown, what: string): Dataset {
  const problem = datasetProblem(value)
  if (problem !== undefined) fail(what, problem)
  return value as Dataset
}

/**
 * A page of a listing. One entry that is not a dataset does not sink the others: it is returned
 * in `rejected` (numbered from `firstPosition`) for the caller to report and skip.
 */
export function parseDatasetPage(value: unknown, what: string, firstPosition = 1): CheckedPage {
  if (!isObject(value) || !Array.isArray(value.data)) fail(what, t`expected {"data": [...]}`)
  const cursor = (field: 'nextPage' | 'prevPage'): string | null => {
    const v = value[field]
    if (v === undefined || v === null || v === '') return null
    if (typeof v !== 'string') fail(what, t`${field} is not a string`)
    return v
  }
  const data: Dataset[] = []
  const rejected: RejectedEntry[] = []
  value.data.forEach((item: unknown, i) => {
    const problem = datasetProblem(item)
    if (problem === undefined) data.push(item as Dataset)
    else rejected.push({ position: firstPosition + i, problem })
  })
  return { nextPage: cursor('nextPage'), prevPage: cursor('prevPage'), data, rejected }
}

export function parseDeleteAnswer(value: unknown, what: string): DeleteAnswer {
  if (!isObject(value) || typeof value.deleted !== 'boolean') {
    fail(what, t`expected {"id": ..., "deleted": true|false}`)
  }
  return { id: String(value.id ?? ''), deleted: value.deleted }
}

/** A signed header of the upload URL, whatever the case of its name. */
export function uploadHeader(uploadUrl: UploadUrl, name: string): string | undefined {
  const key = Object.keys(uploadUrl.headers).find(k => k.toLowerCase() === name)
  return key === undefined ? undefined : uploadUrl.headers[key]
}

/** The upload URL, when the dataset still carries one. */
export function uploadUrlOf(dataset: Dataset): UploadUrl | undefined {
  return dataset.status.source?.uploadUrl ?? undefined
}

/**
 * The dataset as the API gave it, minus the signed upload URL: that URL is a
 * write credential and must never reach outputs, summaries or logs.
 */
export function withoutUploadUrl(dataset: Dataset): Dataset {
  const source = dataset.status.source
  if (!source || !('uploadUrl' in source)) return dataset
  const { uploadUrl: _dropped, ...rest } = source
  return { ...dataset, status: { ...dataset.status, source: rest } }
}
