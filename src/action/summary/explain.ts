/**
 * What a failed step's summary says first: a headline, the cause in plain words and the fix, by
 * the kind of failure. The step's failure line (the error's own message) has the particulars;
 * this is what a person reads first to know what kind of trouble it is and what to do.
 */
import { causeParts } from '../../ndjson/file-cause.js'
import { MAX_LIST_BYTES, MAX_LIST_DATASETS, MAX_LIST_PAGES } from '../../nexus/listing.js'
import { statusMessage } from '../../nexus/types.js'
import type { Operation, StepFacts } from '../../operations/context.js'
import {
  ActionError,
  BadAnswerError,
  CancelledError,
  DatasetExistsError,
  DatasetNotReadyError,
  FileCheckError,
  InputError,
  NexusApiError,
  TooManyDatasetsError,
  TransportError,
  UploadError,
  errorMessage
} from '../../shared/errors.js'
import { readableDuration } from '../../shared/format.js'
import { t, type Inert } from '../../shared/outside-text.js'
import { code, count, cut, num, text, withCode } from './html.js'

/** The step's failure line for an error: its own message, or for a bug, a request to report it. */
export function failureLine(error: unknown): Inert {
  if (error instanceof ActionError) return error.message
  const message = errorMessage(error)
  return t`Unexpected error: ${message}. This is a bug in nexus-dataset-action; please report it with the step's debug log.`
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
  facts: StepFacts,
  projectId: string | undefined
): Explanation {
  // Only when sure: a create request left unanswered may have made a dataset after all.
  const nothing =
    operation === 'create' && facts.dataset === undefined && !facts.unansweredCreate
      ? ': nothing created'
      : ''
  const project = projectId ? ` ${code(text(projectId))}` : ''
  const named = (): string =>
    facts.dataset
      ? `Dataset ${cut(facts.dataset.name || facts.dataset.id, NAME_IN_HEADING)}`
      : 'The dataset'

  if (error instanceof FileCheckError) return explainFile(error, facts, nothing, operation)
  if (error instanceof InputError) {
    return {
      headline: 'An input of the step is not valid: nothing was done',
      cause:
        'The inputs are checked before anything is read or sent, and one of them is wrong (the failure line names it).',
      fix: `Correct it in the step's ${code('with:')} in the workflow file; the README lists every input.`
    }
  }
  if (error instanceof DatasetExistsError) {
    return {
      headline: `A dataset with this name already exists${nothing}`,
      cause: `${code('if-exists: fail')} refuses to make a second dataset with a name that a dataset not yet expired has.`,
      fix: `Give the step another ${code('name')}, delete the other dataset, or use ${code('if-exists: reuse')}.`
    }
  }
  if (error instanceof DatasetNotReadyError && facts.dataset) {
    const status = facts.dataset.status
    if (error.reason === 'failed') {
      const message = statusMessage(facts.dataset)
      const says = message ? ` Nexus says: “${cut(message, 300)}”.` : ''
      // With if-exists: fail, this failed dataset would block the next create of its name.
      const again =
        operation === 'create'
          ? `run the step again: it creates a new dataset (with ${code('if-exists: fail')}, delete this one first)`
          : `create the dataset again (${code('operation: create')})`
      // One reading for both failed statuses, as the failure line (throwIfFailed) gives.
      return {
        headline: `${named()} ended ${cut(status.overview, 40)}`,
        cause: `Nexus could not take or process the file (an item whose ${code('url')} it cannot fetch, say).${says}`,
        fix: `Check the file's items (URLs reachable, kinds right), then ${again}.`
      }
    }
    const waited =
      facts.durations.wait !== undefined ? ` within ${readableDuration(facts.durations.wait)}` : ''
    return {
      headline: `${named()} was not ready${waited}: still ${cut(status.overview, 40)}`,
      cause: "Nexus was still working on the dataset when the step's timeout ran out.",
      fix: `Raise ${code('timeout')}, or wait for it in a later step with ${code('operation: wait')} and ${code(`dataset-id: ${text(facts.dataset.id)}`)}.`
    }
  }
  if (error instanceof UploadError) {
    const file = facts.file ? ` of ${text(facts.file.shown)}` : ''
    if (error.storageCode === 'BadUploadUrl') {
      return {
        headline: 'Nexus handed out an upload URL the action will not use',
        cause:
          "The signed upload URL failed the action's checks (the failure line says which), so nothing was sent.",
        fix: "Report it to Datature support with the step's debug log; a new run gets a new URL, most likely of the same kind."
      }
    }
    if (error.storageCode === 'NotStorage') {
      return {
        headline: `Something other than the storage answered the upload${file}`,
        cause:
          'A web page answered the upload instead of the storage (a proxy, say); nothing was stored.',
        fix: `Check the runner's proxy settings (${code('https_proxy')}, ${code('no_proxy')}), then run the job again.`
      }
    }
    if (error.storageCode === 'PreconditionFailed' && facts.dataset) {
      // The storage holds this very file (the URL is signed for its CRC-32C); only Nexus's word
      // is missing. Another create would make a twin.
      return {
        headline: `The upload${file} landed, but Nexus has not confirmed it`,
        cause:
          'The storage already holds the file (an earlier attempt got through), but Nexus did not yet say it took it.',
        fix: `Do not create it again: wait for it with ${code('operation: wait')} and ${code(`dataset-id: ${text(facts.dataset.id)}`)}.`
      }
    }
    return {
      headline: `The upload${file} failed`,
      cause:
        'The storage behind the signed upload URL refused the file, or kept failing until the retries ran out (the failure line has its answer).',
      fix: 'Run the job again: the step creates a new dataset and uploads the file again.'
    }
  }
  if (error instanceof CancelledError) {
    const c = facts.cleanup
    return {
      headline:
        c && !c.dryRun
          ? `Cancelled: cleanup deleted ${num(c.deleted.length)} of ${count(c.selected.length, 'selected dataset')}`
          : `Cancelled: ${operation ?? 'the step'} did not finish`,
      cause:
        "The run was cancelled: by a person, by a newer run of the same concurrency group, or by the job's timeout-minutes.",
      fix: 'Nothing to fix; run it again when you want it done.'
    }
  }
  if (error instanceof NexusApiError) return explainApi(error, project)
  if (error instanceof TooManyDatasetsError) {
    return {
      headline: 'The project holds more datasets than the action reads',
      cause: `Listing the datasets stopped at the action’s limit (${num(MAX_LIST_PAGES)} pages, ${num(MAX_LIST_DATASETS)} datasets or ${num(MAX_LIST_BYTES / 1048576)} MiB of answers), and Nexus still pointed to more.`,
      fix: `Delete datasets in Nexus (a scheduled ${code('operation: cleanup')} keeps their number down), or report it if the project does not hold that many.`
    }
  }
  if (error instanceof TransportError) {
    return {
      headline: 'Nexus could not be reached',
      cause: 'The requests got no answer (refused, timed out or cut off), on every retry.',
      fix: `Run the job again. If it keeps failing, check ${code('api-url')} and the runner's network (a proxy in ${code('https_proxy')}, a firewall).`
    }
  }
  if (error instanceof BadAnswerError) {
    return {
      headline: 'Nexus answered with something the action cannot use',
      cause: 'An answer was not what the Nexus API promises (the failure line says how).',
      fix: "Run the job again; if it keeps happening, report it to Datature support with the step's debug log."
    }
  }
  if (facts.cleanup && !facts.cleanup.dryRun) {
    const { deleted, failed, selected } = facts.cleanup
    return {
      headline: `Cleanup deleted ${num(deleted.length)} of ${count(selected.length, 'selected dataset')}: ${num(failed.length)} failed`,
      cause:
        'Nexus refused or failed some of the deletions (the reasons are in the table and the failure line).',
      fix: 'Run the job again: it selects the ones still there and tries them again.'
    }
  }
  if (error instanceof ActionError) {
    // A failure the action explains in its failure line alone (a dataset Nexus made without an
    // upload URL, say): that line has the cause and the fix.
    return {
      headline: `${operation ?? 'The step'} failed${nothing}`,
      cause: 'The failure line above says what happened.',
      fix: 'It also says what to do.'
    }
  }
  return {
    headline: `The action hit a bug: ${operation ?? 'the step'} did not finish${nothing}`,
    cause: 'An error the action does not expect, which is a bug in nexus-dataset-action.',
    fix: "Report it with the step's debug log (re-run the job with debug logging on)."
  }
}

function explainFile(
  error: FileCheckError,
  facts: StepFacts,
  nothing: string,
  operation: Operation | undefined
): Explanation {
  const file = facts.file
  const shown = text(file?.shown ?? error.path)
  const checkTip =
    operation === 'check'
      ? ''
      : ` To check a file without creating anything (and without secrets, as in a pull request), use ${code('operation: check')}.`
  if (file?.cause) {
    const { what, fix } = causeParts(file.cause)
    const todo = fix ? `${withCode(fix.charAt(0).toUpperCase() + fix.slice(1))}.` : ''
    return {
      headline: `${shown} ${withCode(what)}${nothing}`,
      cause: `${shown} ${withCode(what)}, so its lines cannot be read as NDJSON items.`,
      fix: `${todo}${checkTip}`.trim()
    }
  }
  if (file && file.badLines > 0) {
    return {
      headline: `${shown} is not valid NDJSON: ${count(file.badLines, 'bad line')}${nothing ? ', nothing created' : ''}`,
      cause: `${num(file.badLines)} of the file's ${count(file.items, 'non-blank line')} ${file.badLines === 1 ? 'is' : 'are'} not a JSON object with a string ${code('url')}: see the table below (each is also annotated on the file).`,
      fix: `Fix the lines, then run again.${checkTip}`
    }
  }
  return {
    headline: `${shown} could not be used${nothing}`,
    cause: `The ${code('path')} input must name a non-empty NDJSON file in the workspace, and this one is missing, empty, not a regular file or changed while it was read (the failure line says which).`,
    fix: `Check ${code('path')} (relative to the workspace), and that an earlier step checks out or writes the file.`
  }
}

function explainApi(error: NexusApiError, project: string): Explanation {
  const status = error.status
  if (status === 401 || status === 403) {
    return {
      headline: `Nexus refused the secret key (${status})`,
      cause: `Nexus did not accept the secret key for project${project}: it is wrong, revoked, or a key of another project.`,
      fix: `Check that the secret ${code('secret-key')} reads is a current secret key of this project, and that ${code('project-id')} is right.`
    }
  }
  if (status === 404) {
    return error.aboutDataset
      ? {
          headline: 'Dataset not found in Nexus (404)',
          cause: `Project${project} has no dataset with this id: it was deleted, or expired and was removed.`,
          fix: `Check ${code('dataset-id')} and ${code('project-id')}; ${code('operation: list')} shows the datasets there are.`
        }
      : {
          headline: 'Nexus answered “not found” (404)',
          cause: `Nexus does not know project${project} at this address.`,
          fix: `Check ${code('project-id')}, and that ${code('api-url')} is the Nexus API.`
        }
  }
  if (status === 429) {
    return {
      headline: 'Nexus kept refusing: too many requests (429)',
      cause: 'Nexus limits how many requests a key makes, and the retries did not get through.',
      fix: `Run the job again later, or space out the workflows using this project; for cleanup, lower ${code('concurrency')}.`
    }
  }
  if (status >= 500) {
    return {
      headline: `Nexus kept failing (HTTP ${status})`,
      cause: 'Nexus answered with a server error on every retry: the trouble is on its side.',
      fix: 'Run the job again later; if it keeps failing, ask Datature support.'
    }
  }
  return {
    headline: `Nexus refused the request (HTTP ${status})`,
    cause: 'Nexus said the request is not valid (its own words are in the failure line).',
    fix: "Check the step's inputs; if they are right, report it with the step's debug log."
  }
}
