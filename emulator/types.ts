/**
 * Shapes shared by the emulator's parts. The wire types follow /work/shared/nexus-api.md
 * (camelCase, epoch milliseconds); the rest is the emulator's own test-facing contract.
 */
import type { IncomingMessage } from 'node:http'

export interface EmulatorOptions {
  /** Default: a fixed test key, `sk_test_` + 40 hex. */
  secretKey?: string
  /** Default: a fixed `proj_` + 32 hex. */
  projectId?: string
  /** After a good upload, ms spent in `Processing` before `finalStatus` (default 0 = at once). */
  processingMs?: number
  /** Status after processing (default `Uploaded`); any string, known or not. */
  finalStatus?: string
  /** itemCount reported after processing (default: non-blank lines of the uploaded bytes). */
  itemCountOverride?: number
  /** Lifetime of a signed upload URL (default 12 h). */
  uploadUrlTtlMs?: number
  /** Lifetime of a dataset, `expiryTime - createDate` (default 10 days). */
  datasetTtlMs?: number
  /** Keep uploaded bytes for uploadedBytes() (default true). With false nothing is buffered. */
  keepUploads?: boolean
  /** Clock in epoch ms (default Date.now). */
  now?: () => number
  /** Port of the API server (default 0 = any free port). The upload host always takes port 0. */
  apiPort?: number
}

export type ServerName = 'api' | 'upload'

export interface RecordedRequest {
  server: ServerName
  /** Wall-clock arrival time, epoch ms (Date.now(), not the `now` option): for gaps between retries. */
  time: number
  method: string
  /** The path exactly as received, without the query (not decoded). */
  rawPath: string
  /** Decoded pathname (the raw one when it does not decode). */
  path: string
  /** First value of each query parameter. */
  query: Record<string, string>
  /** Lower-case names, values as received (repeated headers joined by ', '). */
  headers: Record<string, string>
  /** Body bytes read so far; final once the request is answered. */
  bodyBytes: number
  /** API requests whose body parsed as JSON. */
  json?: unknown
  /** Status sent; 'dropped' when the connection ended without an answer; 0 while pending. */
  answered: number | 'dropped' | 'hung'
  /**
   * `100 Continue` was sent. Only a request with `Expect: 100-continue` gets one, and only
   * once something starts reading its body: a refusal decided from the headers comes alone.
   */
  continued: boolean
}

/** A canned answer of a fault rule. */
export interface FaultAnswer {
  /** 200 to 599. */
  status: number
  headers?: Record<string, string>
  body?: string
  /**
   * Drip instead of answering whole: the headers go at once, chunked (any content-length
   * or transfer-encoding in `headers` is left out), then the body one byte every `dripMs`
   * ms (>= 1; the body must not be empty), over and over, until the client goes away or
   * close(). Never finishes.
   */
  dripMs?: number
}

/** Scripts the answers of a rule: `n` counts from 0 the requests this rule has answered. */
export type ScriptedAnswer = (request: RecordedRequest, n: number) => FaultAnswer

export interface FaultRule {
  /** Default: both servers. */
  server?: ServerName
  /** Case-insensitive. Default: any method. */
  method?: string
  /** Matched against the decoded pathname; a string must be equal. Default: any path. */
  path?: string | RegExp
  /** Let this many matching requests through untouched first (default 0). */
  skip?: number
  /** Apply to this many matching requests (default 1; Infinity = always). */
  times?: number
  /** Wait before handling (then handle normally, or apply respond/drop/hang). */
  delayMs?: number
  /** Handle the request at once (side effects happen), then wait this long before answering. */
  answerDelayMs?: number
  /**
   * Answer this instead of handling (no side effects), once the body is read. A client
   * waiting for `100 Continue` gets it at once instead, without one, like any early
   * refusal. A function is called at that moment, with the request as recorded so far.
   */
  respond?: FaultAnswer | ScriptedAnswer
  /**
   * before: destroy the socket without handling (no side effects).
   * after: handle fully (side effects happen), then destroy the socket without answering.
   * mid-body: destroy the socket once about half the body has arrived; nothing happens.
   */
  drop?: 'before' | 'after' | 'mid-body'
  /** Never answer and never handle; the socket stays open until close(). */
  hang?: boolean
  /**
   * Once the answer is flushed, reset the connection (TCP RST) instead of keeping or
   * closing it. Goes with normal handling and any effect; drop and hang send no answer,
   * and a dripping one never finishes, so there it never comes.
   */
  resetAfterAnswer?: boolean
}

export interface WireUploadUrl {
  method: string
  url: string
  headers: Record<string, string>
  expiresAtTime: number
}

export interface WireDatasetSource {
  kind: 'UploadedNewlineDelimitedJsonFile'
  /** Present only while the dataset is `Waiting`. */
  uploadUrl?: WireUploadUrl
}

export interface WireDatasetStatus {
  overview: string
  message: string
  updateTime: number
  source: WireDatasetSource
  /** 0 until processing has finished. */
  itemCount: number
}

export interface WireDataset {
  id: string
  object: 'dataset'
  name: string
  projectId: string
  expiryTime: number
  status: WireDatasetStatus
  createDate: number
  updateDate: number
}

export interface WireDatasetPage {
  nextPage: string | null
  prevPage: string | null
  data: WireDataset[]
}

/** What a handler wants sent. Handlers never write to the response themselves. */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** One request on its way through a handler. */
export interface RequestContext {
  req: IncomingMessage
  record: RecordedRequest
  /** Sends `100 Continue` if the client waits for it and none went yet; pumpBody calls it. */
  sendContinue: () => void
  /** Set by a mid-body fault: cut the connection once this many body bytes have arrived. */
  cutAt?: number
  /** True once the connection was cut by a mid-body fault. */
  cut: boolean
}

// The emulator's wire types are its own reading of the API doc (a cross-check on
// src/nexus-types.ts, not a copy); this fails to compile should the two drift apart.
// Ids are compared as strings: the action's DatasetId is a string it has checked.
type Conforms<T extends U, U> = T
type Unchecked<D> = Omit<D, 'id'> & { id: string }
type ActionDataset = Unchecked<import('../src/nexus/types.js').Dataset>
export type WireConformsToAction = [
  Conforms<WireDataset, ActionDataset>,
  Conforms<
    WireDatasetPage,
    { nextPage: string | null; prevPage: string | null; data: ActionDataset[] }
  >
]
