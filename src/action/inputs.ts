import * as core from '@actions/core'
import { isLoopback } from '../net/loopback.js'
import { LARGEST_PAGE, MAX_LIST_DATASETS } from '../nexus/listing.js'
import { isDatasetId, type DatasetId } from '../nexus/types.js'
import {
  IF_EXISTS,
  IF_MISSING,
  MAX_URL_SAMPLE,
  OPERATIONS,
  URL_PROBLEMS,
  type ActionInputs,
  type InputsOf,
  type ApiSettings,
  type Operation
} from '../operations/context.js'
import { INPUT_DEFAULTS, INPUT_NAMES, INPUT_USED_BY, type InputName } from '../shared/action-yml.js'
import { InputError } from '../shared/errors.js'
import { DURATION_UNITS, type Duration } from '../shared/format.js'
import { hasControlCharacters, quote, t } from '../shared/outside-text.js'
import { log } from './log.js'

const DEFAULT_API_URL = 'https://api.datature.io'

/**
 * Inputs of 0.x that 1.0.0 replaced. The runner passes an input action.yml no longer declares
 * with a mere warning, so a workflow that still sets one would quietly get other behaviour.
 */
const REMOVED_INPUTS = {
  limit:
    'Input "limit" was replaced in 1.0.0: use page-size for the datasets per request, and max-datasets for how many list returns (with next-page to go on).'
} as const

/** The inputs as read: create's default name comes later (main.ts), from the run's context. */
export type InputsAsRead =
  | Exclude<ActionInputs, { operation: 'create' }>
  | (Omit<InputsOf<'create'>, 'name'> & { name?: string })

/** Reads one input as given (untrimmed; empty when not given). */
export type InputGetter = (name: InputName | keyof typeof REMOVED_INPUTS) => string

/** The runner's way: INPUT_<NAME> through @actions/core, with defaults from action.yml applied. */
const fromRunner: InputGetter = name => core.getInput(name, { trimWhitespace: false })

/** Whether `operation` reads the input, by action.yml's table. */
export function usesInput(operation: Operation, name: InputName): boolean {
  // Typed so that the build fails should action.yml name something that is not an operation.
  const usedBy: Partial<Record<InputName, readonly Operation[]>> = INPUT_USED_BY
  return usedBy[name]?.includes(operation) ?? true
}

const MAX_NAME_LENGTH = 256
const MIN_SECONDS = 0.01
const MAX_SECONDS = 2_000_000
/** What an HTTP header can carry: the key goes in one. */
const SECRET_KEY = /^[\x21-\x7e]+$/
/**
 * Shorter is not a Nexus secret key (a truncated paste, a placeholder), nor safe to mask: so short
 * a value turns up inside ordinary words, and each `***` in their place would show the key in them.
 */
const MIN_SECRET_KEY = 8
const PROJECT_ID = /^proj_[A-Za-z0-9]{1,128}$/

type Env = Record<string, string | undefined>

/**
 * Reads and checks every input before anything touches the network, so a bad
 * value fails the step at once with one message naming the input, the value
 * and what would be accepted. The secret key is masked before anything else.
 * An input given empty gets action.yml's default, as one not given does.
 */
export function readInputs(get: InputGetter = fromRunner, env: Env = process.env): InputsAsRead {
  const raw = (name: InputName): string => get(name).trim()
  const withDefault = (name: keyof typeof INPUT_DEFAULTS): string =>
    raw(name) || INPUT_DEFAULTS[name]

  const operation = withDefault('operation').toLowerCase()
  const known = (OPERATIONS as readonly string[]).includes(operation)
  // The key is masked before anything can be printed, for an unknown operation too; `check`
  // alone never reads it (nor the project or the API: it needs no credentials).
  const talksToNexus = !known || usesInput(operation as Operation, 'secret-key')
  const secretKey = talksToNexus ? raw('secret-key') || (env.DATATURE_SECRET_KEY ?? '').trim() : ''
  log.secret(secretKey)
  if (!known) {
    throw new InputError(
      t`Input "operation" must be one of ${OPERATIONS.join(', ')}; got ${quote(operation)}.`
    )
  }
  const op = operation as Operation
  refuseRemovedInputs(get)
  const requestTimeoutMs = readSeconds('request-timeout', withDefault('request-timeout'))
  const file = (operation: 'check' | 'create'): FileRead => ({
    path: readPath(operation, raw('path')),
    requestTimeoutMs,
    ...readUrlInputs(withDefault)
  })
  if (op === 'check') return { operation: op, ...file(op) }
  const nexus = {
    api: readApi(secretKey, raw, env),
    requestTimeoutMs
  }
  const waiting = () => ({
    timeoutMs: readSeconds('timeout', withDefault('timeout')),
    pollIntervalMs: readSeconds('poll-interval', withDefault('poll-interval'))
  })
  switch (op) {
    case 'create':
      return {
        operation: op,
        ...nexus,
        ...waiting(),
        ...file(op),
        ...(raw('name') ? { name: readName(raw('name')) } : {}),
        ifExists: readChoice('if-exists', withDefault('if-exists'), IF_EXISTS),
        wait: readBoolean('wait', withDefault('wait'))
      }
    case 'get':
      return { operation: op, ...nexus, datasetId: readDatasetId(raw('dataset-id')) }
    case 'wait':
      return { operation: op, ...nexus, ...waiting(), datasetId: readDatasetId(raw('dataset-id')) }
    case 'delete':
      return {
        operation: op,
        ...nexus,
        datasetId: readDatasetId(raw('dataset-id')),
        ifMissing: readChoice('if-missing', withDefault('if-missing'), IF_MISSING)
      }
    case 'list':
      return {
        operation: op,
        ...nexus,
        showExpired: readBoolean('show-expired', withDefault('show-expired')),
        pageSize: readInteger('page-size', withDefault('page-size'), 1, LARGEST_PAGE),
        ...(raw('max-datasets')
          ? { maxDatasets: readInteger('max-datasets', raw('max-datasets'), 1, MAX_LIST_DATASETS) }
          : {}),
        ...(raw('page') ? { page: refuseControlCharacters('page', raw('page')) } : {}),
        ...readNamePattern(get)
      }
    case 'cleanup':
      return {
        operation: op,
        ...nexus,
        ...(raw('older-than') ? { olderThan: readDuration('older-than', raw('older-than')) } : {}),
        ...readNamePattern(get),
        dryRun: readBoolean('dry-run', withDefault('dry-run')),
        concurrency: readInteger('concurrency', withDefault('concurrency'), 1, 32)
      }
  }
}

/** What check and create read of the file. */
type FileRead = Omit<InputsOf<'check'>, 'operation'>

/** What to make of the items' URLs (check and create). */
function readUrlInputs(
  withDefault: (name: keyof typeof INPUT_DEFAULTS) => string
): Omit<FileRead, 'path' | 'requestTimeoutMs'> {
  return {
    urlProblems: readChoice('url-problems', withDefault('url-problems'), URL_PROBLEMS),
    urlMinLifetime: readDuration('url-min-lifetime', withDefault('url-min-lifetime')),
    urlSample: readInteger('url-sample', withDefault('url-sample'), 0, MAX_URL_SAMPLE),
    urlAllowPrivate: readBoolean('url-allow-private', withDefault('url-allow-private'))
  }
}

function refuseRemovedInputs(get: InputGetter): void {
  for (const [name, message] of Object.entries(REMOVED_INPUTS)) {
    if (get(name as keyof typeof REMOVED_INPUTS).trim() !== '') throw new InputError(t`${message}`)
  }
}

function readPath(op: 'check' | 'create', path: string): string {
  if (!path) {
    throw new InputError(
      t`Input "path" is required for operation ${op}: the NDJSON file to ${op === 'check' ? 'check' : 'upload'}.`
    )
  }
  return refuseControlCharacters('path', path)
}

function readNamePattern(get: InputGetter): { namePattern?: string } {
  const pattern = get('name-pattern')
  // An explicitly empty pattern would silently match nothing (or, read as
  // "no filter", everything): neither is what someone who typed it meant.
  if (pattern !== '' && pattern.trim() === '') {
    throw new InputError(t`Input "name-pattern" is empty; remove it to match every name.`)
  }
  return pattern.trim()
    ? { namePattern: refuseControlCharacters('name-pattern', pattern.trim()) }
    : {}
}

/**
 * Inputs given that this operation does not read. Inputs with a default are left out: the runner
 * gives them to every step.
 */
export function unusedInputs(operation: Operation, get: InputGetter = fromRunner): InputName[] {
  return INPUT_NAMES.filter(
    name => !(name in INPUT_DEFAULTS) && !usesInput(operation, name) && get(name).trim() !== ''
  )
}

/** The secret key (already masked), the project and the API: what talking to Nexus takes. */
function readApi(secretKey: string, raw: (name: InputName) => string, env: Env): ApiSettings {
  if (!secretKey) {
    throw new InputError(
      t`Input "secret-key" is required: set it (for example secret-key: $\{{ secrets.DATATURE_SECRET_KEY }}) or the DATATURE_SECRET_KEY environment variable.`
    )
  }
  if (!SECRET_KEY.test(secretKey)) {
    throw new InputError(
      t`Input "secret-key" has characters a secret key cannot have (spaces, line breaks or non-ASCII, often from copy and paste); copy the key again.`
    )
  }
  if (secretKey.length < MIN_SECRET_KEY) {
    throw new InputError(
      t`Input "secret-key" is shorter than ${MIN_SECRET_KEY} characters: too short to be a Nexus secret key, and too short to be masked safely in logs. Copy the whole key from the project's Integrations page.`
    )
  }
  const projectId = readProjectId(raw('project-id') || (env.DATATURE_PROJECT_ID ?? '').trim())
  const apiUrl = readApiUrl(raw('api-url') || (env.DATATURE_API_BASE_URL ?? '').trim())
  return { secretKey, projectId, apiUrl }
}

function readProjectId(value: string): string {
  if (!value) {
    throw new InputError(
      t`Input "project-id" is required: set it (for example project-id: $\{{ secrets.DATATURE_PROJECT_ID }}) or the DATATURE_PROJECT_ID environment variable.`
    )
  }
  const id = value.startsWith('proj_') ? value : `proj_${value}`
  if (!PROJECT_ID.test(id)) {
    throw new InputError(
      t`Input "project-id" must look like proj_ followed by letters and digits (for example proj_0123456789abcdef0123456789abcdef), with or without the proj_ prefix; got ${quote(value)}.`
    )
  }
  return id
}

function readApiUrl(value: string): URL {
  const text = value || DEFAULT_API_URL
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InputError(
      t`Input "api-url" must be an absolute URL such as ${DEFAULT_API_URL}; got ${quote(text)}.`
    )
  }
  if (url.username || url.password) {
    throw new InputError(
      t`Input "api-url" must not contain a user name or password; the secret key is sent in a header.`
    )
  }
  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    throw new InputError(
      t`Input "api-url" must not have a query or fragment; got ${quote(url.origin + url.pathname)}…`
    )
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      t`Input "api-url" must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and ::1, where tests run); got ${quote(url.origin)}.`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(t`Input "api-url" must use https://; got ${quote(url.protocol)}.`)
  }
  return url
}

function readDatasetId(value: string): DatasetId {
  if (!value) {
    throw new InputError(
      t`Input "dataset-id" is required for this operation: the id of the dataset, like dataset_<uuid>.`
    )
  }
  if (!isDatasetId(value)) {
    throw new InputError(
      t`Input "dataset-id" must look like dataset_ followed by a UUID (for example dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60); got ${quote(value)}.`
    )
  }
  return value
}

/** Text that ends up in requests, logs and the summary: a line break or escape is never meant. */
function refuseControlCharacters(name: string, value: string): string {
  if (hasControlCharacters(value)) {
    throw new InputError(
      t`Input "${name}" must not contain control characters (line breaks, tabs, escapes).`
    )
  }
  return value
}

function readName(value: string): string {
  refuseControlCharacters('name', value)
  if ([...value].length > MAX_NAME_LENGTH) {
    throw new InputError(
      t`Input "name" must be at most ${MAX_NAME_LENGTH} characters; got ${[...value].length}.`
    )
  }
  return value
}

function readChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  const lower = value.toLowerCase()
  if ((choices as readonly string[]).includes(lower)) return lower as T
  throw new InputError(
    t`Input "${name}" must be one of ${choices.join(', ')}; got ${quote(value)}.`
  )
}

function readBoolean(name: string, value: string): boolean {
  const lower = value.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  throw new InputError(t`Input "${name}" must be true or false; got ${quote(value)}.`)
}

function readSeconds(name: string, value: string): number {
  const seconds = /^\d+(\.\d+)?$|^\.\d+$/.test(value) ? Number(value) : NaN
  // Below 10 ms a wait is a busy loop; past ~24 days Node's timers overflow.
  if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) {
    throw new InputError(
      t`Input "${name}" must be a positive number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS} (fractions allowed, e.g. 0.5); got ${quote(value)}.`
    )
  }
  return Math.round(seconds * 1000)
}

function readInteger(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      t`Input "${name}" must be a whole number from ${min} to ${max}; got ${quote(value)}.`
    )
  }
  return n
}

function readDuration(name: string, value: string): Duration {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value)
  const amount = match ? Number(match[1]) : NaN
  if (!match || !(amount > 0)) {
    throw new InputError(
      t`Input "${name}" must be a number and a unit s, m, h, d or w (for example 36h or 7d); got ${quote(value)}.`
    )
  }
  const unit = DURATION_UNITS[match[2].toLowerCase() as keyof typeof DURATION_UNITS] ?? 0
  return { ms: Math.round(amount * unit), text: value }
}
