import type { NexusClient } from '../nexus/client.js'
import type { FileScan } from '../ndjson/file-scan.js'
import type { UrlFindings } from '../ndjson/url-checks.js'
import type { Dataset, DatasetId } from '../nexus/types.js'
import type { OutputName } from '../shared/action-yml.js'
import type { Clock } from '../shared/clock.js'
import type { Duration } from '../shared/format.js'
import type { Logger } from '../shared/logger.js'
import type { Inert } from '../shared/outside-text.js'

export const OPERATIONS = ['create', 'check', 'get', 'list', 'delete', 'wait', 'cleanup'] as const
export type Operation = (typeof OPERATIONS)[number]

/** What create does when a not-expired dataset with its name exists. */
export const IF_EXISTS = ['create', 'reuse', 'fail'] as const
export type IfExists = (typeof IF_EXISTS)[number]

/** What delete does when the dataset is not there. */
export const IF_MISSING = ['fail', 'ignore'] as const
export type IfMissing = (typeof IF_MISSING)[number]

/** What create and check do when the items' URLs have problems (url-problems). */
export const URL_PROBLEMS = ['warn', 'fail'] as const
export type UrlProblems = (typeof URL_PROBLEMS)[number]

/** The most items url-sample requests. */
export const MAX_URL_SAMPLE = 1000

/** How to reach Nexus: read only by the operations that talk to it (not `check`). */
export interface ApiSettings {
  secretKey: string
  projectId: string
  apiUrl: URL
}

/** What talking to Nexus takes: every operation but `check` reads these. */
interface ApiInputs {
  api: ApiSettings
  requestTimeoutMs: number
}

/** How long to wait for a dataset to be ready, and how often to look. */
interface WaitInputs {
  timeoutMs: number
  pollIntervalMs: number
}

/** The file to check, and what to make of its items' URLs: `check` and `create` read these. */
interface FileInputs {
  path: string
  /** Each `url-sample` request's time. */
  requestTimeoutMs: number
  urlProblems: UrlProblems
  /** A signed item URL must be valid at least this long from the check on. */
  urlMinLifetime: Duration
  /** Items whose URLs are requested; 0: none. */
  urlSample: number
  urlAllowPrivate: boolean
}

/**
 * The inputs each operation reads, checked and typed (src/action/inputs.ts reads them): an
 * operation is handed what it needs, present, and nothing it does not read.
 */
export interface InputsByOperation {
  check: FileInputs
  create: ApiInputs &
    WaitInputs &
    FileInputs & {
      /** Given, or the default name (main.ts makes it: it needs the run's context). */
      name: string
      ifExists: IfExists
      wait: boolean
    }
  get: ApiInputs & { datasetId: DatasetId }
  wait: ApiInputs & WaitInputs & { datasetId: DatasetId }
  delete: ApiInputs & { datasetId: DatasetId; ifMissing: IfMissing }
  list: ApiInputs & {
    showExpired: boolean
    /** Datasets per listing request. */
    pageSize: number
    /** list stops once it has this many (after the filters); all when absent. */
    maxDatasets?: number
    /** The cursor list starts at. */
    page?: string
    namePattern?: string
  }
  cleanup: ApiInputs & {
    olderThan?: Duration
    namePattern?: string
    dryRun: boolean
    concurrency: number
  }
}

/** One operation's inputs, with the operation's name. */
export type InputsOf<O extends Operation> = { operation: O } & InputsByOperation[O]

/** The inputs of whichever operation the step runs. */
export type ActionInputs = { [O in Operation]: InputsOf<O> }[Operation]

/** The operations that talk to Nexus. */
export type ApiOperation = Exclude<Operation, 'check'>

export interface PageCursors {
  nextPage: string | null
  prevPage: string | null
}

/** The `path` file as checked: what the summary says of it, good or bad. */
export interface FileFacts extends Pick<
  FileScan,
  'sizeBytes' | 'gzipBytes' | 'crc32c' | 'items' | 'badLines' | 'problems' | 'cause'
> {
  /** The path as the user gave it. */
  shown: string
}

/** The items' URLs as checked (create, check): what the summary says of them. */
export interface ItemUrlFacts extends UrlFindings {
  /** url-min-lifetime as written, e.g. `1h`. */
  minLifetime: string
  /** What url-sample found; absent with url-sample: 0. */
  sample?: SampleFacts
}

export interface SampleFacts {
  /** Items whose URL was requested. */
  sampled: number
  unreachable: number
  /** The first unreachable ones, with why (`404: the object is missing`). */
  firstUnreachable: Array<{ line: number; reason: Inert }>
}

/** A listing as list shows it: what is in it, and what its filters left out. */
export interface ListingFacts {
  /** The datasets listed, in order, after the filters. */
  datasets: Dataset[]
  /** How many the part of the listing read holds before the filters... */
  total: number
  /** ...and how many of those are expired. */
  expired: number
  /** Only part of the listing was read (from `page`, or up to `max-datasets`): totals are its. */
  partial: boolean
  /** The expired ones are left out (show-expired: false). */
  expiredHidden: boolean
  /** Left out because name-pattern did not match them. */
  unmatched: number
  namePattern?: string
  morePages: boolean
}

/** What cleanup selected and what became of each. */
export interface CleanupFacts {
  dryRun: boolean
  /** In words, e.g. `expired or created more than 30d ago`. */
  criteria: string
  /** Datasets in the project (well-formed ones). */
  total: number
  /** Entries of the listing skipped as malformed. */
  malformed: number
  selected: Dataset[]
  deleted: Dataset[]
  failed: Array<{ dataset: Dataset; reason: Inert }>
}

/**
 * What the step found and did, filled in as it goes, so the job summary can tell the outcome and
 * what is left behind whether the step succeeds, fails or is cancelled part-way.
 */
export interface StepFacts {
  file?: FileFacts
  urls?: ItemUrlFacts
  /** The dataset the step is about, as last read. */
  dataset?: Dataset
  /** create: the dataset is an existing namesake (if-exists: reuse); nothing was uploaded. */
  reused?: boolean
  /**
   * create: the create request failed without a clear answer (lost, timed out, 5xx, or cut by a
   * cancel), so Nexus may have made a dataset of this name that nobody knows the id of.
   */
  unansweredCreate?: { name: string }
  /** The step deleted `dataset` (delete, or create after a failed upload). */
  deleted?: boolean
  /** delete with if-missing: ignore found no dataset of this id. */
  missing?: DatasetId
  /** How long each part of the step took, in ms. */
  durations: { check?: number; sample?: number; upload?: number; wait?: number }
  upload?: { bytesPerSecond: number; attempts: number }
  listing?: ListingFacts
  cleanup?: CleanupFacts
}

/**
 * Where an operation's results go: the step's outputs, and the facts the job summary is written
 * from. The action layer writes both (src/action/report.ts); operations only say what to write,
 * as soon as they know it, so a step that fails part-way still has its outputs and its summary.
 */
export interface Report {
  /** dataset-id, status, name, item-count, expiry-time and dataset (never the upload URL). */
  dataset(dataset: Dataset): void
  /** datasets and count; list also passes its page cursors. */
  datasets(datasets: Dataset[], cursors?: PageCursors): void
  output(name: OutputName, value: string): void
  /** The step deleted its dataset: output deleted, and the summary's facts. */
  deleted(): void
  /** delete found nothing to delete (if-missing: ignore): output deleted false, and the facts. */
  missing(datasetId: DatasetId): void
  /** create reuses `dataset` (if-exists: reuse): output reused, the dataset's, and the facts. */
  reused(dataset: Dataset): void
  /** Written into as the step goes; `dataset()`, `deleted()` and `reused()` keep it current. */
  readonly facts: StepFacts
}

/** What every operation is handed: operation `O`'s inputs, and the step's means. */
export interface OperationContext<O extends Operation = Operation> {
  inputs: InputsOf<O>
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
export interface RunContext<O extends ApiOperation> extends OperationContext<O> {
  client: NexusClient
}
