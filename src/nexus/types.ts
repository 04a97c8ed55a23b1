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

/** Here and in Dataset, counts and times (epoch ms) are safe whole numbers from 0 up, or absent. */
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

/**
 * A count or a time the API gave as something other than a safe whole number from 0 up (1e309,
 * which JSON.parse makes Infinity; -3; 2.5; null; a string): dropped from the dataset, so it is
 * unknown to everything after, and named here for a warning.
 */
export interface UnknownNumber {
  datasetId: DatasetId
  field: NumberField
  /** As JSON.parse gave it. */
  value: unknown
}

/** A dataset as read, and the numbers in it that were dropped as unknown. */
export interface CheckedDataset {
  dataset: Dataset
  unknownNumbers: UnknownNumber[]
}

/** A page as read: the datasets that check out, and the entries that do not. */
export interface CheckedPage extends DatasetPage {
  rejected: RejectedEntry[]
  unknownNumbers: UnknownNumber[]
}

export interface DeleteAnswer {
  /** The dataset the answer says it is about, when it names one. */
  id?: string
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
  if (
    status.message !== undefined &&
    status.message !== null &&
    typeof status.message !== 'string'
  ) {
    return t`status.message is not a string`
  }
  const source = status.source
  // Read as an object wherever it is there (the upload URL is looked up and stripped in it).
  if (source !== undefined && source !== null && !isObject(source)) {
    return t`status.source is not an object`
  }
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

/** The counts and times of a dataset, by where they are in it. */
const TOP_NUMBERS = ['expiryTime', 'createDate', 'updateDate'] as const
const STATUS_NUMBERS = ['updateTime', 'itemCount'] as const
export type NumberField = (typeof TOP_NUMBERS)[number] | `status.${(typeof STATUS_NUMBERS)[number]}`

/** A count or an epoch-ms time as the action can use it: compared, sorted, shown. */
function isCountOrTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

/**
 * The dataset without the counts and times that are not safe whole numbers from 0 up: those
 * become unknown (absent), which every reader already handles: no expiry time is not expired, no
 * creation date is never older than a cutoff and sorts last, no item count is not compared.
 */
function withKnownNumbers(dataset: Dataset): CheckedDataset {
  const unknownNumbers: UnknownNumber[] = []
  const keep = (from: Json, names: readonly string[], prefix: string): Json => {
    let kept = from
    for (const name of names) {
      if (!Object.hasOwn(from, name) || isCountOrTime(from[name])) continue
      const field = `${prefix}${name}` as NumberField
      unknownNumbers.push({ datasetId: dataset.id, field, value: from[name] })
      if (kept === from) kept = { ...from }
      delete kept[name]
    }
    return kept
  }
  const top = keep(dataset as unknown as Json, TOP_NUMBERS, '')
  const status = keep(dataset.status as unknown as Json, STATUS_NUMBERS, 'status.')
  if (unknownNumbers.length === 0) return { dataset, unknownNumbers }
  return { dataset: { ...top, status } as unknown as Dataset, unknownNumbers }
}

export function parseDataset(value: unknown, what: string): CheckedDataset {
  const problem = datasetProblem(value)
  if (problem !== undefined) fail(what, problem)
  return withKnownNumbers(value as Dataset)
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
  const unknownNumbers: UnknownNumber[] = []
  value.data.forEach((item: unknown, i) => {
    const problem = datasetProblem(item)
    if (problem === undefined) {
      const checked = withKnownNumbers(item as Dataset)
      data.push(checked.dataset)
      unknownNumbers.push(...checked.unknownNumbers)
    } else {
      rejected.push({ position: firstPosition + i, problem })
    }
  })
  return {
    nextPage: cursor('nextPage'),
    prevPage: cursor('prevPage'),
    data,
    rejected,
    unknownNumbers
  }
}

export function parseDeleteAnswer(value: unknown, what: string): DeleteAnswer {
  if (
    !isObject(value) ||
    typeof value.deleted !== 'boolean' ||
    (value.id !== undefined && value.id !== null && typeof value.id !== 'string')
  ) {
    fail(what, t`expected {"id": ..., "deleted": true|false}`)
  }
  return typeof value.id === 'string'
    ? { id: value.id, deleted: value.deleted }
    : { deleted: value.deleted }
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
