import type { NexusClient } from '../nexus/client.js'
import type { Dataset, DatasetId } from '../nexus/types.js'
import type { OutputName } from '../shared/action-yml.js'
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'
import type { Inert } from '../shared/outside-text.js'

export const OPERATIONS = ['create', 'check', 'get', 'list', 'delete', 'wait', 'cleanup'] as const
export type Operation = (typeof OPERATIONS)[number]

/** What create does when a not-expired dataset with its name exists. */
export const IF_EXISTS = ['create', 'reuse', 'fail'] as const
export type IfExists = (typeof IF_EXISTS)[number]

/** How to reach Nexus: read only by the operations that talk to it (not `check`). */
export interface ApiSettings {
  secretKey: string
  projectId: string
  apiUrl: URL
}

/** Every input an operation reads, checked and typed (src/action/inputs.ts reads them). */
export interface ActionInputs {
  operation: Operation
  api?: ApiSettings
  datasetId?: DatasetId
  name?: string
  ifExists: IfExists
  path?: string
  wait: boolean
  timeoutMs: number
  pollIntervalMs: number
  requestTimeoutMs: number
  showExpired: boolean
  limit: number
  page?: string
  olderThanMs?: number
  namePattern?: string
  dryRun: boolean
  concurrency: number
}

/** A plain-text row an operation adds under a dataset's fields in the summary. */
export type Row = [Inert, Inert]

export interface PageCursors {
  nextPage: string | null
  prevPage: string | null
}

/**
 * Where an operation's results go: the step's outputs and its job summary. The action layer
 * writes them (src/action/report.ts); operations only say what to write, as soon as they know it,
 * so a step that fails part-way still has its outputs.
 */
export interface Report {
  /** dataset-id, status, name, item-count, expiry-time and dataset (never the upload URL). */
  dataset(dataset: Dataset): void
  /** datasets and count; list also passes its page cursors. */
  datasets(datasets: Dataset[], cursors?: PageCursors): void
  output(name: OutputName, value: string): void
  /** A summary of one dataset, plus rows of the operation's own. */
  datasetSummary(heading: Inert, dataset: Dataset, rows?: Row[]): Promise<void>
  /** A summary of rows alone (a file's check, say). */
  rowsSummary(heading: Inert, rows: Row[]): Promise<void>
  /** A summary of datasets as a table (capped), with an optional note above and footer below. */
  tableSummary(
    heading: Inert,
    datasets: Dataset[],
    options?: { note?: Inert; footer?: Inert; forCleanup?: boolean }
  ): Promise<void>
}

/** What every operation is handed. */
export interface OperationContext {
  inputs: ActionInputs
  log: Logger
  report: Report
  /** The folder a relative `path` resolves against (GITHUB_WORKSPACE on a runner). */
  workspace: string
  clock: Clock
  random: () => number
  /** Aborts when the runner cancels the job (SIGINT/SIGTERM). */
  signal: AbortSignal
}

/** What the operations that talk to Nexus are handed: the above and the API client. */
export interface RunContext extends OperationContext {
  client: NexusClient
}
