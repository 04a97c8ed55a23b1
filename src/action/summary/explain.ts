/**
 * What a failed step's summary says first: a headline by the kind of failure, then its cause and
 * its fix. Those are the failure's own (shared/advice.ts), carried by the error from where it was
 * thrown, so the summary says what the failure line says, and the cause that the line has no room
 * for; only the headline, which names what the step knew (the file, the dataset), is written here.
 */
import { causeParts } from '../../ndjson/file-cause.js'
import type { Operation, StepFacts } from '../../operations/context.js'
import { advice, type Advice, type FailureKind } from '../../shared/advice.js'
import {
  ActionError,
  CancelledError,
  FileCheckError,
  InputError,
  errorMessage,
  type NexusApiError
} from '../../shared/errors.js'
import { readableDuration } from '../../shared/format.js'
import { t, type Inert } from '../../shared/outside-text.js'
import { count, cut, num, text, withCode } from './html.js'

/** The step's failure line for an error: its own message, or for a bug, a request to report it. */
export function failureLine(error: unknown): Inert {
  if (error instanceof ActionError) return error.message
  const message = errorMessage(error)
  return t`Unexpected error: ${message}. This is a bug in nexus-dataset-action; please report it with the step's debug log.`
}

/** The failure as the summary shows it: the failure line without the fix, which follows apart. */
export function failureWhat(error: unknown): Inert {
  return error instanceof ActionError ? error.what : failureLine(error)
}

export interface Explanation {
  /** After the ❌: what went wrong, in one sentence. */
  headline: string
  /** Why, in plain words. */
  cause: string
  /** What to do. */
  fix: string
}

/** How much of a name a heading shows. */
export const NAME_IN_HEADING = 64

export function explainFailure(
  error: unknown,
  operation: Operation | undefined,
  facts: StepFacts
): Explanation {
  const told = adviceOf(error)
  const headline = HEADLINES[told.kind] ?? HEADLINES.other
  return {
    headline: headline({ error, operation, facts }),
    cause: withCode(told.cause),
    fix: withCode(told.fix)
  }
}

/** The error's own advice; for one thrown without any (its line says what to do), its kind's. */
function adviceOf(error: unknown): Advice {
  if (error instanceof ActionError && error.advice) return error.advice
  if (error instanceof InputError) return advice('input')
  if (error instanceof FileCheckError) return advice('fileUnusable')
  if (error instanceof CancelledError) return advice('cancelled')
  return advice(error instanceof ActionError ? 'other' : 'bug')
}

/** What a headline is made from. */
interface Scene {
  error: unknown
  operation: Operation | undefined
  facts: StepFacts
}

type Headline = (scene: Scene) => string

/** Only when sure: a create request left unanswered may have made a dataset after all. */
const nothing = ({ operation, facts }: Scene): string =>
  operation === 'create' && facts.dataset === undefined && !facts.unansweredCreate
    ? ': nothing created'
    : ''

const named = ({ facts }: Scene): string =>
  facts.dataset
    ? `Dataset ${cut(facts.dataset.name || facts.dataset.id, NAME_IN_HEADING)}`
    : 'The dataset'

const statusOf = ({ facts }: Scene): string => cut(facts.dataset?.status.overview ?? '', 40)

const shownFile = ({ error, facts }: Scene): string =>
  text(facts.file?.shown ?? (error instanceof FileCheckError ? error.path : 'The file'))

const ofFile = ({ facts }: Scene): string => (facts.file ? ` of ${text(facts.file.shown)}` : '')

const httpStatus = ({ error }: Scene): number => (error as NexusApiError).status

const unusable: Headline = s => `${shownFile(s)} could not be used${nothing(s)}`
const uploadFailed: Headline = s => `The upload${ofFile(s)} failed`
const cannotUse: Headline = () => 'Nexus answered with something the action cannot use'

const HEADLINES: Partial<Record<FailureKind, Headline>> & { other: Headline } = {
  input: () => 'An input of the step is not valid: nothing was done',
  fileUnusable: unusable,
  fileChanged: unusable,
  urlProblems: s => `${shownFile(s)}: item URL problems${nothing(s)}`,
  gzipBroken: s => `${shownFile(s)} does not decompress: a broken gzip file${nothing(s)}`,
  fileOutside: unusable,
  fileLinkOut: unusable,
  wrongFormat: s => {
    const cause = s.facts.file?.cause
    return cause ? `${shownFile(s)} ${withCode(causeParts(cause).what)}${nothing(s)}` : unusable(s)
  },
  badLines: s => {
    const bad = s.facts.file?.badLines ?? 0
    return `${shownFile(s)} is not valid NDJSON: ${count(bad, 'bad line')}${nothing(s) ? ', nothing created' : ''}`
  },
  exists: s => `A dataset with this name already exists${nothing(s)}`,
  datasetFailed: s => `${named(s)} ended ${statusOf(s) || 'failed'}`,
  datasetTimeout: s => {
    const wait = s.facts.durations.wait
    const waited = wait !== undefined ? ` within ${readableDuration(wait)}` : ''
    return `${named(s)} was not ready${waited}${s.facts.dataset ? `: still ${statusOf(s)}` : ''}`
  },
  noUploadUrl: () => 'Nexus made the dataset without an upload URL',
  keyRefused: s => `Nexus refused the secret key (${httpStatus(s)})`,
  datasetNotFound: () => 'Dataset not found in Nexus (404)',
  projectNotFound: () => 'Nexus answered “not found” (404)',
  tooManyRequests: () => 'Nexus kept refusing: too many requests (429)',
  apiFailing: s => `Nexus kept failing (HTTP ${httpStatus(s)})`,
  apiRejected: s => `Nexus refused the request (HTTP ${httpStatus(s)})`,
  unreachable: () => 'Nexus could not be reached',
  notNexus: cannotUse,
  mixedAnswer: cannotUse,
  badAnswer: cannotUse,
  notDeleted: cannotUse,
  tooManyDatasets: () => 'The project holds more datasets than the action reads',
  badUploadUrl: () => 'Nexus handed out an upload URL the action will not use',
  notStorage: s => `Something other than the storage answered the upload${ofFile(s)}`,
  storageDigest: uploadFailed,
  storageExpired: uploadFailed,
  storageSignature: uploadFailed,
  storageRefused: uploadFailed,
  storageFailing: uploadFailed,
  storageUnreachable: uploadFailed,
  uploadUnconfirmed: s => `The upload${ofFile(s)} landed, but Nexus has not confirmed it`,
  cleanupFailed: ({ facts }) => {
    const c = facts.cleanup
    return c
      ? `Cleanup deleted ${num(c.deleted.length)} of ${count(c.selected.length, 'selected dataset')}: ${num(c.failed.length)} failed`
      : 'Cleanup could not delete every dataset'
  },
  cancelled: ({ operation, facts }) => {
    const c = facts.cleanup
    return c && !c.dryRun
      ? `Cancelled: cleanup deleted ${num(c.deleted.length)} of ${count(c.selected.length, 'selected dataset')}`
      : `Cancelled: ${operation ?? 'the step'} did not finish`
  },
  // A failure the action explains in its failure line alone: that line has the cause and the fix.
  other: s => `${s.operation ?? 'The step'} failed${nothing(s)}`,
  bug: s => `The action hit a bug: ${s.operation ?? 'the step'} did not finish${nothing(s)}`
}
