/**
 * The emulator's datasets: their state, the status they show (computed from the clock
 * when asked, so no timers run), their wire form, and keyset pagination with opaque
 * cursors that only this store issues.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import CRC32C from 'crc-32/crc32c.js'
import { crc32cBase64 } from '../src/ndjson/crc32c.js'
import { BUCKET, OBJECT_NAME, type UrlSigner } from './signing.js'
import type { WireDataset, WireDatasetPage, WireUploadUrl } from './types.js'

export const SOURCE_KIND = 'UploadedNewlineDelimitedJsonFile'
const UPLOAD_CONTENT_TYPE = 'application/x-ndjson'

export interface StoredObject {
  size: number
  /** Non-blank lines, counted while the bytes arrived. */
  lines: number
  storedAt: number
  bytes?: Buffer
}

export interface DatasetState {
  id: string
  name: string
  createDate: number
  expiryTime: number
  sizeBytes: number
  crc32c: string
  uploadUrl: WireUploadUrl
  /** Last move between Waiting and Uploading. */
  lastChange: number
  /** Uploads whose body is arriving now. */
  inflight: number
  object?: StoredObject
  /** Set by setStatus() or a seed: shown as is until an upload starts. */
  manual?: { overview: string; itemCount: number; at: number }
}

export interface StoreConfig {
  projectId: string
  processingMs: number
  finalStatus: string
  itemCountOverride: number | undefined
  uploadUrlTtlMs: number
  datasetTtlMs: number
  now: () => number
}

export interface SeedInit {
  name: string
  status?: string
  itemCount?: number
  createDate?: number
  expiryTime?: number
  /** What the seed's upload URL is signed for (default: the 3 bytes `{}\n`). */
  sizeBytes?: number
  crc32c?: string
}

interface StatusView {
  overview: string
  updateTime: number
  itemCount: number
}

type Key = { createDate: number; id: string }
interface Cursor {
  dir: 'after' | 'before'
  key: Key
  inclusive: boolean
}

const MESSAGES: Record<string, string> = {
  Waiting: 'Waiting for upload',
  Uploading: 'Uploading Dataset',
  Uploaded: 'Uploaded Dataset',
  Processing: 'Processing Dataset',
  Processed: 'Processed Dataset',
  FailedUpload: 'Failed to upload dataset',
  FailedProcessing: 'Failed to process dataset'
}

/** The default content a seeded Waiting dataset is signed for. */
const SEED_BYTES = Buffer.from('{}\n')

function compareKeys(a: Key, b: Key): number {
  if (a.createDate !== b.createDate) return a.createDate - b.createDate
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export class DatasetStore {
  private readonly datasets = new Map<string, DatasetState>()
  private readonly cursors = new Map<string, Cursor>()

  constructor(
    private readonly config: StoreConfig,
    private readonly signer: UrlSigner
  ) {}

  create(name: string, sizeBytes: number, crc32c: string): DatasetState {
    const now = this.config.now()
    return this.insert(name, sizeBytes, crc32c, now, now + this.config.datasetTtlMs)
  }

  seed(init: SeedInit): DatasetState {
    const createDate = init.createDate ?? this.config.now()
    const expiryTime = init.expiryTime ?? createDate + this.config.datasetTtlMs
    const state = this.insert(
      init.name,
      init.sizeBytes ?? SEED_BYTES.length,
      init.crc32c ?? crc32cBase64(CRC32C.buf(SEED_BYTES)),
      createDate,
      expiryTime
    )
    const overview = init.status ?? 'Uploaded'
    if (overview !== 'Waiting') {
      const itemCount = init.itemCount ?? 0
      state.manual = { overview, itemCount, at: createDate }
      // Past Waiting means its object landed already: a new upload gets 412, like GCS.
      state.object = { size: 0, lines: itemCount, storedAt: createDate }
    }
    return state
  }

  get(id: string): DatasetState | undefined {
    return this.datasets.get(id)
  }

  delete(id: string): boolean {
    return this.datasets.delete(id)
  }

  all(): DatasetState[] {
    return [...this.datasets.values()].sort(compareKeys)
  }

  beginUpload(state: DatasetState): void {
    state.manual = undefined
    state.inflight += 1
    state.lastChange = this.config.now()
  }

  /** The body did not all arrive or was refused: back to Waiting once no upload is running. */
  endUploadWithoutObject(state: DatasetState): void {
    state.inflight -= 1
    if (state.inflight === 0) state.lastChange = this.config.now()
  }

  storeObject(state: DatasetState, object: Omit<StoredObject, 'storedAt'>): void {
    state.inflight -= 1
    state.manual = undefined
    state.object = { ...object, storedAt: this.config.now() }
  }

  setStatus(state: DatasetState, overview: string, itemCount?: number): void {
    const current = this.view(state)
    state.manual = {
      overview,
      itemCount: itemCount ?? current.itemCount,
      at: this.config.now()
    }
  }

  /** A fresh wire form: callers may keep or change it freely. */
  wire(state: DatasetState): WireDataset {
    const view = this.view(state)
    const source: WireDataset['status']['source'] = { kind: SOURCE_KIND }
    // Like the real API, the upload URL is only handed out while the upload is awaited.
    if (view.overview === 'Waiting') {
      source.uploadUrl = { ...state.uploadUrl, headers: { ...state.uploadUrl.headers } }
    }
    return {
      id: state.id,
      object: 'dataset',
      name: state.name,
      projectId: this.config.projectId,
      expiryTime: state.expiryTime,
      status: {
        overview: view.overview,
        message: MESSAGES[view.overview] ?? view.overview,
        updateTime: view.updateTime,
        source,
        itemCount: view.itemCount
      },
      createDate: state.createDate,
      updateDate: Math.max(state.createDate, view.updateTime)
    }
  }

  /** One page, or undefined when `page` is not a cursor this store issued. */
  list(limit: number, page: string | undefined): WireDatasetPage | undefined {
    const all = this.all()
    let items: DatasetState[]
    let cursor: Cursor | undefined
    if (page === undefined) {
      items = all.slice(0, limit)
    } else {
      cursor = this.cursors.get(page)
      if (cursor === undefined) return undefined
      const c = cursor
      if (c.dir === 'after') {
        items = all.filter(d => compareKeys(d, c.key) > (c.inclusive ? -1 : 0)).slice(0, limit)
      } else {
        const before = all.filter(d => compareKeys(d, c.key) < (c.inclusive ? 1 : 0))
        items = before.slice(Math.max(0, before.length - limit))
      }
    }
    const first = items[0]
    const last = items[items.length - 1]
    let prev: Cursor | undefined
    let next: Cursor | undefined
    if (first !== undefined && last !== undefined) {
      if (all.some(d => compareKeys(d, first) < 0)) {
        prev = { dir: 'before', key: keyOf(first), inclusive: false }
      }
      if (all.some(d => compareKeys(d, last) > 0)) {
        next = { dir: 'after', key: keyOf(last), inclusive: false }
      }
    } else if (cursor !== undefined) {
      // An empty page (its items were deleted meanwhile) still leads back to the rest.
      const c = cursor
      if (c.dir === 'after' && all.some(d => compareKeys(d, c.key) <= 0)) {
        prev = { dir: 'before', key: c.key, inclusive: true }
      }
      if (c.dir === 'before' && all.some(d => compareKeys(d, c.key) >= 0)) {
        next = { dir: 'after', key: c.key, inclusive: true }
      }
    }
    return {
      nextPage: next === undefined ? null : this.issue(next),
      prevPage: prev === undefined ? null : this.issue(prev),
      data: items.map(d => this.wire(d))
    }
  }

  private issue(cursor: Cursor): string {
    const token = randomBytes(18).toString('base64url')
    this.cursors.set(token, cursor)
    return token
  }

  private insert(
    name: string,
    sizeBytes: number,
    crc32c: string,
    createDate: number,
    expiryTime: number
  ): DatasetState {
    const { projectId } = this.config
    const id = `dataset_${randomUUID()}`
    const rawPath = `/${BUCKET}/${projectId}/${id}/${OBJECT_NAME}`
    const headers = {
      'content-length': String(sizeBytes),
      'content-type': UPLOAD_CONTENT_TYPE,
      'x-goog-hash': `crc32c=${crc32c}`,
      'x-goog-if-generation-match': '0',
      'x-goog-meta-datature-dataset-link': `projects/${projectId}/batch/datasets/${id}`
    }
    const uploadUrl = this.signer.sign(
      { method: 'PUT', rawPath, headers, datasetId: id },
      createDate,
      this.config.uploadUrlTtlMs
    )
    const state: DatasetState = {
      id,
      name,
      createDate,
      expiryTime,
      sizeBytes,
      crc32c,
      uploadUrl,
      lastChange: createDate,
      inflight: 0
    }
    this.datasets.set(id, state)
    return state
  }

  private view(state: DatasetState): StatusView {
    if (state.manual !== undefined) {
      const { overview, itemCount, at } = state.manual
      return { overview, itemCount, updateTime: at }
    }
    const { processingMs, finalStatus, itemCountOverride } = this.config
    if (state.object !== undefined) {
      const done = state.object.storedAt + processingMs
      if (processingMs > 0 && this.config.now() < done) {
        return { overview: 'Processing', updateTime: state.object.storedAt, itemCount: 0 }
      }
      return {
        overview: finalStatus,
        updateTime: done,
        itemCount: itemCountOverride ?? state.object.lines
      }
    }
    const overview = state.inflight > 0 ? 'Uploading' : 'Waiting'
    return { overview, updateTime: state.lastChange, itemCount: 0 }
  }
}

function keyOf(d: Key): Key {
  return { createDate: d.createDate, id: d.id }
}
