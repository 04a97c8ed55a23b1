import { BadAnswerError } from './errors.js'

/**
 * The wire form of the Nexus batch-datasets API (camelCase, times in epoch ms),
 * and the checks that turn an untrusted answer into one. Fields the action
 * relies on are checked; the rest pass through untouched so outputs show the
 * dataset exactly as the API gave it.
 */
export const READY_STATUS = 'Uploaded'
export const FAILED_STATUSES: readonly string[] = ['FailedUpload', 'FailedProcessing']
export const WAITING_STATUS = 'Waiting'
export const SOURCE_KIND = 'UploadedNewlineDelimitedJsonFile'

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
  id: string
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

function fail(what: string, problem: string): never {
  throw new BadAnswerError(`The Nexus API's answer to ${what} is not what it promises: ${problem}.`)
}

function optionalNumber(value: unknown, field: string, what: string): void {
  if (value !== undefined && value !== null && typeof value !== 'number') {
    fail(what, `${field} is not a number`)
  }
}

export function parseDataset(value: unknown, what: string): Dataset {
  if (!isObject(value)) fail(what, 'expected a dataset object')
  if (typeof value.id !== 'string' || value.id === '') fail(what, 'the dataset has no id')
  if (typeof value.name !== 'string') fail(what, `dataset ${value.id} has no name`)
  const status = value.status
  if (!isObject(status) || typeof status.overview !== 'string') {
    fail(what, `dataset ${value.id} has no status.overview`)
  }
  optionalNumber(value.expiryTime, 'expiryTime', what)
  optionalNumber(value.createDate, 'createDate', what)
  optionalNumber(status.itemCount, 'status.itemCount', what)
  const source = status.source
  if (isObject(source) && source.uploadUrl !== undefined && source.uploadUrl !== null) {
    parseUploadUrl(source.uploadUrl, what)
  }
  return value as unknown as Dataset
}

function parseUploadUrl(value: unknown, what: string): UploadUrl {
  if (
    !isObject(value) ||
    typeof value.method !== 'string' ||
    typeof value.url !== 'string' ||
    !isObject(value.headers) ||
    !Object.values(value.headers).every(v => typeof v === 'string')
  ) {
    fail(what, 'status.source.uploadUrl is not a method, url and string headers')
  }
  return value as unknown as UploadUrl
}

export function parseDatasetPage(value: unknown, what: string): DatasetPage {
  if (!isObject(value) || !Array.isArray(value.data)) fail(what, 'expected {"data": [...]}')
  const cursor = (field: 'nextPage' | 'prevPage'): string | null => {
    const v = value[field]
    if (v === undefined || v === null || v === '') return null
    if (typeof v !== 'string') fail(what, `${field} is not a string`)
    return v
  }
  return {
    nextPage: cursor('nextPage'),
    prevPage: cursor('prevPage'),
    data: value.data.map(item => parseDataset(item, what))
  }
}

export function parseDeleteAnswer(value: unknown, what: string): DeleteAnswer {
  if (!isObject(value) || typeof value.deleted !== 'boolean') {
    fail(what, 'expected {"id": ..., "deleted": true|false}')
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
