import { advice } from '../shared/advice.js'
import type { Clock } from '../shared/clock.js'
import { BadAnswerError, NexusApiError, TransportError } from '../shared/errors.js'
import { formatSeconds } from '../shared/format.js'
import { LARGEST_PAGE, MAX_LIST_BYTES, walkPages } from './listing.js'
import { AgentPool, headerValue, send, type HttpResponse } from '../net/http.js'
import type { Logger } from '../shared/logger.js'
import {
  parseDataset,
  parseDatasetPage,
  parseDeleteAnswer,
  type CheckedPage,
  type CreateDatasetBody,
  type Dataset,
  type DatasetId,
  type NumberField,
  type RejectedEntry,
  type UnknownNumber
} from './types.js'
import { NAME_SHOWN, describeBody, quote, shorten, t, type Inert } from '../shared/outside-text.js'
import { parseRetryAfter, withRetries, type RetryPolicy } from '../net/retry.js'
import { ACTION_NAME, ACTION_VERSION } from '../shared/version.js'
import { apiRetryVerdict, explainFailedRequest } from './failures.js'

export interface NexusClientOptions {
  apiUrl: URL
  secretKey: string
  projectId: string
  requestTimeoutMs: number
  retry: RetryPolicy
  clock: Clock
  random: () => number
  signal?: AbortSignal
  log: Logger
  /** The most answer bytes one listing reads; MAX_LIST_BYTES unless a test wants a small one. */
  maxListBytes?: number
}

/** API answers are small JSON documents; anything past this is not one. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024
/**
 * A dataset is nested 5 deep (status, source, uploadUrl, headers) and a page 2 more. Past this an
 * answer is refused before it is parsed: code that walks a value recursively (JSON.stringify for
 * an output) would overflow the stack on an answer nested a million deep.
 */
export const MAX_ANSWER_DEPTH = 64

/** Every dataset of a project, and the listed entries that were not datasets. */
export interface Listing {
  datasets: Dataset[]
  rejected: RejectedEntry[]
}
export class NexusClient {
  readonly projectId: string
  /** Where the API is: the upload's URL policy depends on it. */
  readonly apiUrl: URL
  readonly retryPolicy: RetryPolicy
  private readonly pool = new AgentPool(true)
  /** Counts and times already warned about, by dataset and field: once each per step. */
  private readonly unknownWarned = new Set<string>()

  constructor(private readonly options: NexusClientOptions) {
    this.projectId = options.projectId
    this.apiUrl = options.apiUrl
    this.retryPolicy = options.retry
  }

  /**
   * One dataset, as the API has it now. An answer about another dataset is refused: acting on it
   * (showing it, waiting on it, deleting after it) would be acting on the wrong dataset.
   */
  async getDataset(datasetId: DatasetId): Promise<Dataset> {
    const answer = await this.call('GET', this.datasetPath(datasetId), {
      what: t`reading dataset ${datasetId}`,
      notFound: datasetId
    })
    const { dataset } = this.warnUnknownNumbers(
      parseDataset(answer.json, `GET dataset ${datasetId}`)
    )
    if (dataset.id !== datasetId) {
      throw new BadAnswerError(
        t`Nexus answered about dataset ${dataset.id} when asked for ${datasetId}; the answer is not used.`,
        advice('mixedAnswer')
      )
    }
    return dataset
  }

  /**
   * The listing's pages from `start` (the first page without), each dataset once, within the caps
   * of listing.ts. `limit` is asked before each request; stop the walk by leaving the loop.
   */
  listPages(options: { start?: string; limit: () => number }): AsyncGenerator<CheckedPage> {
    return walkPages((limit, page, firstPosition) => this.readPage(limit, page, firstPosition), {
      ...options,
      projectId: this.projectId,
      maxBytes: this.options.maxListBytes ?? MAX_LIST_BYTES,
      log: this.options.log
    })
  }

  /** Every dataset of the project, each id once, walking the pages from the first. */
  async listAll(limit = LARGEST_PAGE): Promise<Listing> {
    const listing: Listing = { datasets: [], rejected: [] }
    for await (const page of this.listPages({ limit: () => limit })) {
      listing.datasets.push(...page.data)
      listing.rejected.push(...page.rejected)
    }
    return listing
  }

  private async readPage(
    limit: number,
    page: string | undefined,
    firstPosition: number
  ): Promise<{ page: CheckedPage; bytes: number }> {
    const query = new URLSearchParams({ limit: String(limit) })
    if (page) query.set('page', page)
    const answer = await this.call('GET', `${this.datasetsPath()}?${query}`, {
      what: t`listing datasets`
    })
    return {
      page: this.warnUnknownNumbers(parseDatasetPage(answer.json, 'GET datasets', firstPosition)),
      bytes: answer.bytes
    }
  }

  /** Warns of the counts and times an answer gave that the action treats as unknown. */
  private warnUnknownNumbers<T extends { unknownNumbers: UnknownNumber[] }>(checked: T): T {
    for (const { datasetId, field, value } of checked.unknownNumbers) {
      const key = `${datasetId} ${field}`
      if (this.unknownWarned.has(key)) continue
      this.unknownWarned.add(key)
      if (this.unknownWarned.size > UNKNOWN_NUMBERS_NAMED) {
        if (this.unknownWarned.size === UNKNOWN_NUMBERS_NAMED + 1) {
          this.options.log.warning(
            t`More counts or times from Nexus are not whole numbers from 0 up; they are treated as unknown too, without a warning each.`
          )
        }
        continue
      }
      this.options.log.warning(
        t`Nexus gave ${field} ${describeNumber(value)} for dataset ${datasetId}, not a whole number from 0 up; it is treated as unknown${UNKNOWN_MEANS[field]} and left out of the outputs and the summary.`
      )
    }
    return checked
  }

  /**
   * Deletes a dataset. Gone is what was asked for, so a 404 is success too:
   * an earlier try whose answer was lost, or another job, deleted it first.
   */
  async deleteDataset(
    datasetId: DatasetId,
    signal?: AbortSignal
  ): Promise<{ alreadyGone: boolean }> {
    let answer: { json: unknown }
    try {
      answer = await this.call('DELETE', this.datasetPath(datasetId), {
        what: t`deleting dataset ${datasetId}`,
        signal
      })
    } catch (error) {
      if (error instanceof NexusApiError && error.status === 404) return { alreadyGone: true }
      throw error
    }
    const told = parseDeleteAnswer(answer.json, `DELETE dataset ${datasetId}`)
    if (told.id !== undefined && told.id !== datasetId) {
      throw new BadAnswerError(
        t`Nexus answered about dataset ${quote(told.id)} when asked for ${datasetId} to be deleted; the answer is not used, so whether ${datasetId} is deleted is not known.`,
        advice('mixedAnswer')
      )
    }
    if (!told.deleted) {
      throw new BadAnswerError(
        t`Nexus answered that dataset ${datasetId} was not deleted.`,
        advice('notDeleted')
      )
    }
    return { alreadyGone: false }
  }

  /**
   * One POST, never retried here: a create whose answer was lost may still
   * have made the dataset, so the caller decides how to retry.
   */
  async postDataset(body: CreateDatasetBody, signal?: AbortSignal): Promise<Dataset> {
    const answer = await this.call('POST', this.datasetsPath(), {
      what: t`creating dataset ${quote(body.name, NAME_SHOWN)}`,
      body,
      attempts: 1,
      signal
    })
    return this.warnUnknownNumbers(parseDataset(answer.json, 'POST datasets')).dataset
  }

  /** Whether an error from postDataset leaves it unknown if the dataset was made. */
  static isAmbiguous(error: unknown): boolean {
    if (error instanceof TransportError) return !error.final && error.code !== 'ECONNREFUSED'
    if (error instanceof BadAnswerError) return true
    return error instanceof NexusApiError && error.status >= 500
  }

  dispose(): void {
    this.pool.dispose()
  }

  private datasetsPath(): string {
    return `/projects/${encodeURIComponent(this.projectId)}/batch/datasets`
  }

  private datasetPath(datasetId: DatasetId): string {
    return `${this.datasetsPath()}/${encodeURIComponent(datasetId)}`
  }

  private async call(
    method: string,
    path: string,
    spec: {
      what: Inert
      body?: unknown
      notFound?: DatasetId
      attempts?: number
      /** Replaces the run's signal: clean-up after a cancel must still go out. */
      signal?: AbortSignal
    }
  ): Promise<{ json: unknown; bytes: number }> {
    const { options } = this
    const signal = spec.signal ?? options.signal
    const url = new URL(options.apiUrl.href.replace(/\/$/, '') + path)
    const headers: Record<string, string> = {
      'Secret-Key': options.secretKey,
      'User-Agent': `${ACTION_NAME}/${ACTION_VERSION}`,
      Accept: 'application/json'
    }
    let payload: Buffer | undefined
    if (spec.body !== undefined) {
      payload = Buffer.from(JSON.stringify(spec.body))
      headers['Content-Type'] = 'application/json'
      headers['Content-Length'] = String(payload.length)
    }
    const policy = { ...options.retry, maxAttempts: spec.attempts ?? options.retry.maxAttempts }
    let tries = 0
    try {
      return await withRetries(
        async attempt => {
          tries = attempt
          const started = options.clock.now()
          const response = await send(this.pool, {
            method,
            url,
            headers,
            body: payload,
            idleTimeoutMs: options.requestTimeoutMs,
            totalTimeoutMs: options.requestTimeoutMs,
            maxResponseBytes: MAX_ANSWER_BYTES,
            signal
          })
          options.log.debug(
            t`${method} ${url.pathname}${url.search} -> ${response.status} in ${options.clock.now() - started} ms`
          )
          return this.interpret(method, url, response, spec)
        },
        {
          policy,
          clock: options.clock,
          random: options.random,
          signal,
          classify: apiRetryVerdict,
          onRetry: ({ attempt, delayMs, reason }) => {
            options.log.info(
              t`${spec.what}: ${reason}; retrying in ${formatSeconds(delayMs)} (attempt ${attempt + 1} of ${policy.maxAttempts})`
            )
          }
        }
      )
    } catch (error) {
      throw explainFailedRequest(error, tries, {
        to: 'api',
        doing: spec.what,
        origin: options.apiUrl.origin,
        projectId: this.projectId,
        datasetId: spec.notFound
      })
    }
  }

  private interpret(
    method: string,
    url: URL,
    response: HttpResponse,
    spec: { what: Inert }
  ): { json: unknown; bytes: number } {
    const { status } = response
    if (status >= 200 && status < 300) {
      if (response.truncated) {
        throw new BadAnswerError(
          t`The Nexus API's answer to ${spec.what} is larger than ${MAX_ANSWER_BYTES / 1048576} MiB; it is not a Nexus answer.`,
          advice('notNexus')
        )
      }
      if (nestedDeeperThan(response.body, MAX_ANSWER_DEPTH)) {
        throw new BadAnswerError(
          t`The Nexus API's answer to ${spec.what} is nested deeper than ${MAX_ANSWER_DEPTH} levels; it is not a Nexus answer.`,
          advice('notNexus')
        )
      }
      try {
        return { json: JSON.parse(response.body.toString('utf8')), bytes: response.body.length }
      } catch {
        throw new BadAnswerError(
          t`The Nexus API's answer to ${spec.what} (HTTP ${status}) is not JSON: ${describeBody(response.body)}.`,
          advice('notNexus')
        )
      }
    }
    throw new NexusApiError(
      t`${method} ${url.pathname} answered HTTP ${status}`,
      status,
      serverMessage(response),
      parseRetryAfter(headerValue(response, 'retry-after'), this.options.clock.now())
    )
  }
}

/** Distinct unknown counts and times named in a warning each; the rest in one more. */
const UNKNOWN_NUMBERS_NAMED = 10

/** What an unknown value means for the action, where it means more than a blank. */
const UNKNOWN_MEANS: Record<NumberField, string> = {
  expiryTime: ' (not expired: cleanup keeps it)',
  createDate: ' (never older than older-than; the last choice for if-exists: reuse)',
  updateDate: '',
  'status.updateTime': '',
  'status.itemCount': ' (not compared with the file)'
}

/** A value that is not a count or a time, as a warning shows it: short, never a whole document. */
function describeNumber(value: unknown): string {
  if (typeof value === 'string') return quote(value, 40)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object' && value !== null) return 'an object'
  // 1e309 and beyond reach us as Infinity: JSON.parse cannot hold them.
  return value === Infinity ? 'Infinity (a number too large to hold)' : String(value)
}

/**
 * Whether a JSON text opens more than `max` arrays or objects inside one another: one pass over
 * the bytes, the contents of strings skipped (a UTF-8 continuation byte is never a bracket or a
 * quote, so bytes serve as well as characters).
 */
export function nestedDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]
    if (inString) {
      // A backslash escapes the next byte, a quote included.
      if (byte === 0x5c) i++
      else if (byte === 0x22) inString = false
    } else if (byte === 0x22) {
      inString = true
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--
    }
  }
  return false
}

/** The server's own words: its JSON `message`, else a short cut of the text. */
function serverMessage(response: HttpResponse): string {
  const text = response.body.toString('utf8')
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      const message = (parsed as { message: unknown }).message
      if (typeof message === 'string') return shorten(message)
    }
  } catch {
    // Not JSON: fall through to the text itself.
  }
  return describeBody(response.body)
}
