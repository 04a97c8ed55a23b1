/**
 * One job summary of each kind, built by the action's own summary code from fixed facts: the unit
 * tests assert on them (__tests__/action/summary.test.ts), and run as a script this writes them
 * all into docs/job-summaries.md (part of `npm run build`, so the docs show what the code writes
 * and CI fails if they drift).
 */
import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from './run-action.js'
import { buildSummary, type SummaryInput } from '../src/action/summary/build.js'
import { fileCause, type FileCause } from '../src/ndjson/file-cause.js'
import type { Dataset, DatasetId } from '../src/nexus/types.js'
import type { StepFacts } from '../src/operations/context.js'
import { explainFailedRequest } from '../src/nexus/failures.js'
import { badLines, wrongFormat } from '../src/operations/file-check.js'
import { failed, timedOut } from '../src/operations/wait-until-ready.js'
import { advice } from '../src/shared/advice.js'
import {
  ActionError,
  CancelledError,
  DatasetExistsError,
  InputError,
  NexusApiError,
  UploadError,
  UploadUnconfirmedError,
  UrlCheckError
} from '../src/shared/errors.js'
import { t, type Inert } from '../src/shared/outside-text.js'

/** What the checker says of a file PowerShell 5.1 wrote: UTF-16, told from its first bytes. */
const UTF16_CAUSE = fileCause({
  firstBytes: Buffer.from('\ufeff{"url": "https://x/1.jpg"}\r\n', 'utf16le'),
  lastNonBlank: 0x00,
  items: 1,
  firstItemComplete: false,
  openObjectLine: 0,
  closerLine: false,
  secondValueAt: -1
}) as FileCause

/** The examples' "now": every relative time counts from it. */
export const NOW = Date.UTC(2026, 10, 26, 13, 17, 34, 683)
const MINUTE = 60_000
const DAY = 86_400_000
const PROJECT = 'proj_ca5fe71e7592bbcf7705ea36e4f29ed4'

/** The nth example dataset id (well-formed, as the API gives them). */
function idOf(n: number): DatasetId {
  const hex = n.toString(16).padStart(12, '0')
  return `dataset_8f14e45f-ea9c-4b6e-9d7a-${hex}` as DatasetId
}

/** A dataset made `ageMs` before NOW that lives 10 days, as Nexus makes them. */
function dataset(
  n: number,
  name: string,
  ageMs: number,
  status: Partial<Dataset['status']> = {}
): Dataset {
  return {
    id: idOf(n),
    object: 'dataset',
    name,
    projectId: PROJECT,
    createDate: NOW - ageMs,
    expiryTime: NOW - ageMs + 10 * DAY,
    status: { overview: 'Uploaded', message: 'Uploaded Dataset', itemCount: 50, ...status }
  }
}

/** A failed API request as the client explains it after its last attempt. */
function apiFailure(
  status: number,
  serverMessage: string,
  attempts: number,
  doing: Inert,
  datasetId?: DatasetId
): unknown {
  return explainFailedRequest(
    new NexusApiError(t`answered HTTP ${status}`, status, serverMessage),
    attempts,
    { to: 'api', doing, origin: 'https://api.datature.io', projectId: PROJECT, datasetId }
  )
}

const FILE = {
  shown: 'data/items.ndjson',
  sizeBytes: 4500,
  crc32c: 'vdJ+rQ==',
  items: 50,
  badLines: 0,
  problems: []
}

const BAD_FILE = {
  ...FILE,
  badLines: 3,
  problems: [
    { line: 7, message: '"url" is missing' },
    { line: 12, column: 31, message: 'not valid JSON: expected , or } after a value' },
    { line: 40, message: '"url" must be a non-empty string, found a number' }
  ]
}

const facts = (more: Partial<StepFacts>): StepFacts => ({ durations: {}, ...more })

/** What create knows once it made the dataset and uploaded the file (4.4 KiB, in 70 ms). */
function uploaded(dataset: Dataset, waitMs?: number, more: Partial<StepFacts> = {}): StepFacts {
  return facts({
    file: FILE,
    dataset,
    durations: { check: 5, upload: 70, ...(waitMs === undefined ? {} : { wait: waitMs }) },
    upload: { bytesPerSecond: 64_000, attempts: 1 },
    ...more
  })
}

const READY = dataset(1, 'vision-a1b2c3d-42', 3 * MINUTE)
const FAILED = dataset(2, 'merge-44', 9 * MINUTE, {
  overview: 'FailedProcessing',
  message: 'Items 3, 17 and 41: url could not be fetched',
  itemCount: 0
})
const PROCESSING = dataset(3, 'nightly-2026-11-26', 31 * MINUTE, {
  overview: 'Processing',
  message: 'Processing Dataset',
  itemCount: 0
})

const WAITING = dataset(4, 'nightly-2026-11-26', 2 * MINUTE, {
  overview: 'Waiting',
  message: 'Waiting for upload',
  itemCount: 0
})
const FAILED_UPLOAD = dataset(5, 'weekly-48', 4 * MINUTE, {
  overview: 'FailedUpload',
  message: 'CRC-32C mismatch',
  itemCount: 0
})

/** 120 datasets, the 25 oldest expired (the API lists newest first). */
const LISTING = Array.from({ length: 120 }, (_, i) =>
  dataset(
    100 + i,
    `nightly-${String(120 - i).padStart(3, '0')}`,
    (i + 1) * 2 * 3_600_000 + (i >= 95 ? 10 * DAY : 0)
  )
)
const inUse = (id: DatasetId): string =>
  `Nexus rejected deleting dataset ${id} (HTTP 409: Dataset is in use by a running batch job).`
const EXPIRED = LISTING.filter(d => (d.expiryTime ?? Infinity) <= NOW)

export interface SummaryExample {
  title: string
  input: SummaryInput
  /** Shown in docs/job-summaries.md: a few that stand for the rest (the tests use them all). */
  shown?: true
}

const base = { projectId: PROJECT, now: NOW }

export const SUMMARY_EXAMPLES: SummaryExample[] = [
  {
    title: 'create: the dataset is ready',
    shown: true,
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 14_200,
      facts: uploaded({ ...READY, status: { ...READY.status, itemCount: 120_000 } }, undefined, {
        file: { ...FILE, sizeBytes: 38_797_312, items: 120_000 },
        durations: { check: 180, upload: 2_950, wait: 10_900 },
        upload: { bytesPerSecond: 12_541_000, attempts: 1 }
      })
    }
  },
  {
    title: 'create: Nexus counted other than the file holds',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 4_100,
      facts: uploaded({ ...READY, status: { ...READY.status, itemCount: 48 } }, 3_900)
    }
  },
  {
    title: 'create: a dataset of that name is reused (if-exists: reuse)',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 400,
      facts: facts({
        file: FILE,
        dataset: READY,
        reused: true,
        durations: { check: 4 }
      })
    }
  },
  {
    title: 'check: the file is valid',
    input: {
      ...base,
      operation: 'check',
      elapsedMs: 30,
      facts: facts({ file: FILE, durations: { check: 5 } })
    }
  },
  {
    title: 'check: item URL problems, and a sample of 20',
    input: {
      ...base,
      operation: 'check',
      elapsedMs: 900,
      facts: facts({
        file: FILE,
        urls: {
          duplicates: {
            count: 4,
            first: [
              { line: 26, earlier: 1 },
              { line: 27, earlier: 2 },
              { line: 28, earlier: 3 },
              { line: 29, earlier: 4 }
            ]
          },
          nonWeb: {
            count: 1,
            first: [{ line: 9, url: 's3://bucket/9.jpg', why: 'its scheme is s3:' }]
          },
          expiring: { count: 0, first: [] },
          minLifetime: '1h',
          sample: {
            sampled: 20,
            unreachable: 2,
            firstUnreachable: [
              { line: 12, reason: t`404: the object is missing` },
              { line: 40, reason: t`403: a private object, or a bad or expired signature` }
            ]
          }
        },
        durations: { check: 5, sample: 840 }
      })
    }
  },
  {
    title: 'create: signed item URLs expire too soon (url-problems: fail)',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 30,
      error: new UrlCheckError(
        t`data/items.ndjson has item URL problems (url-problems: fail): 50 expiring within 1d. Nothing was created; the annotations name the first lines of each kind; fix them, or set url-problems: warn.`
      ),
      facts: facts({
        file: FILE,
        urls: {
          duplicates: { count: 0, first: [] },
          nonWeb: { count: 0, first: [] },
          expiring: {
            count: 50,
            first: [1, 2, 3, 4].map(line => ({
              line,
              scheme: 'AWS SigV4',
              expiresAt: NOW + 5 * 3_600_000
            }))
          },
          minLifetime: '1d'
        },
        durations: { check: 5 }
      })
    }
  },
  {
    title: 'create: the file has bad lines',
    shown: true,
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 25,
      error: badLines('data/items.ndjson', BAD_FILE, 'create'),
      facts: facts({ file: BAD_FILE, durations: { check: 6 } })
    }
  },
  {
    title: 'check: the file is in the wrong format as a whole',
    input: {
      ...base,
      operation: 'check',
      elapsedMs: 12,
      error: wrongFormat('data/items.ndjson', UTF16_CAUSE, 'check'),
      facts: facts({
        file: {
          ...FILE,
          badLines: 1,
          items: 1,
          problems: [{ line: 1, column: 1, message: 'invalid UTF-8 at column 1' }],
          cause: UTF16_CAUSE
        },
        durations: { check: 2 }
      })
    }
  },
  {
    title: 'create: the dataset ended FailedProcessing',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 9 * MINUTE,
      error: failed(FAILED, 'create'),
      facts: uploaded(FAILED, 8 * MINUTE)
    }
  },
  {
    title: 'create: not ready before the timeout',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 30 * MINUTE + 900,
      error: timedOut(PROCESSING, 30 * MINUTE),
      facts: uploaded(PROCESSING, 30 * MINUTE)
    }
  },
  {
    title: 'create: the upload failed, the dataset was deleted',
    shown: true,
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 41_000,
      error: explainFailedRequest(
        new UploadError(t`HTTP 503 SlowDown: Please reduce your request rate.`, 503, 'SlowDown'),
        5,
        { to: 'storage' }
      ),
      facts: facts({
        file: FILE,
        dataset: { ...PROCESSING, status: { overview: 'Waiting', message: 'Waiting for upload' } },
        deleted: true,
        durations: { check: 5 }
      })
    }
  },
  {
    title: 'create: the upload landed, but Nexus has not confirmed it',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 75_000,
      error: new UploadUnconfirmedError(
        t`The storage already holds the file (an earlier attempt landed), but a minute later Nexus still shows dataset ${WAITING.id} Waiting; it is kept.`,
        WAITING.id
      ),
      facts: facts({
        file: FILE,
        dataset: WAITING,
        durations: { check: 5 }
      })
    }
  },
  {
    title: 'create: the create request got no answer',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 95_000,
      error: apiFailure(503, 'upstream timeout', 5, t`creating dataset "nightly-2026-11-26"`),
      facts: facts({
        file: FILE,
        unansweredCreate: { name: 'nightly-2026-11-26' },
        durations: { check: 5 }
      })
    }
  },
  {
    title: 'create: wait: false',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 600,
      facts: uploaded(PROCESSING)
    }
  },
  {
    title: 'create: a namesake still processing is reused (wait: false)',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 400,
      facts: facts({ file: FILE, dataset: PROCESSING, reused: true, durations: { check: 5 } })
    }
  },
  {
    title: 'create: a dataset of that name exists (if-exists: fail)',
    input: {
      ...base,
      operation: 'create',
      elapsedMs: 350,
      error: new DatasetExistsError(
        t`A dataset named "vision-a1b2c3d-42" already exists in project ${PROJECT}: ${READY.id}, Uploaded. Nothing was created (if-exists: fail).`
      ),
      facts: facts({ file: FILE, durations: { check: 5 } })
    }
  },
  {
    title: 'get: the secret key is refused',
    shown: true,
    input: {
      ...base,
      operation: 'get',
      elapsedMs: 300,
      error: apiFailure(401, 'Invalid secret key', 1, t`reading dataset ${READY.id}`, READY.id),
      facts: facts({})
    }
  },
  {
    title: 'get: a dataset that failed',
    input: { ...base, operation: 'get', elapsedMs: 200, facts: facts({ dataset: FAILED }) }
  },
  {
    title: 'wait: cancelled',
    input: {
      ...base,
      operation: 'wait',
      elapsedMs: 65_000,
      error: new CancelledError(t`The run was cancelled (SIGINT) before the operation finished.`),
      facts: facts({ dataset: PROCESSING, durations: { wait: 64_000 } })
    }
  },
  {
    title: 'wait: the dataset ended FailedUpload',
    input: {
      ...base,
      operation: 'wait',
      elapsedMs: 12_000,
      error: failed(FAILED_UPLOAD, 'wait'),
      facts: facts({ dataset: FAILED_UPLOAD, durations: { wait: 11_500 } })
    }
  },
  {
    title: 'delete',
    input: {
      ...base,
      operation: 'delete',
      elapsedMs: 500,
      facts: facts({ dataset: READY, deleted: true })
    }
  },
  {
    title: 'list: expired shown and marked, rows capped',
    input: {
      ...base,
      operation: 'list',
      elapsedMs: 800,
      facts: facts({
        listing: {
          datasets: LISTING,
          total: LISTING.length,
          expired: EXPIRED.length,
          expiredHidden: false,
          unmatched: 0,
          partial: false,
          morePages: false
        }
      })
    }
  },
  {
    title: 'list: expired hidden',
    shown: true,
    input: {
      ...base,
      operation: 'list',
      elapsedMs: 800,
      facts: facts({
        listing: {
          datasets: LISTING.filter(d => !EXPIRED.includes(d)).slice(0, 3),
          total: LISTING.length,
          expired: EXPIRED.length,
          expiredHidden: true,
          unmatched: 92,
          namePattern: 'nightly-12*',
          partial: false,
          morePages: false
        }
      })
    }
  },
  {
    title: 'cleanup: dry run',
    input: {
      ...base,
      operation: 'cleanup',
      elapsedMs: 900,
      facts: facts({
        cleanup: {
          dryRun: true,
          criteria: 'expired',
          total: LISTING.length,
          malformed: 0,
          selected: EXPIRED,
          deleted: [],
          failed: []
        }
      })
    }
  },
  {
    title: 'cleanup: done',
    input: {
      ...base,
      operation: 'cleanup',
      elapsedMs: 3_400,
      facts: facts({
        cleanup: {
          dryRun: false,
          criteria: 'expired',
          total: LISTING.length,
          malformed: 0,
          selected: EXPIRED,
          deleted: EXPIRED,
          failed: []
        }
      })
    }
  },
  {
    title: 'cleanup: some deletions failed',
    shown: true,
    input: {
      ...base,
      operation: 'cleanup',
      elapsedMs: 12_000,
      error: new ActionError(
        t`Cleanup could not delete 2 of 25 datasets (23 deleted): ${idOf(195)}: ${inUse(idOf(195)).slice(0, -1)}; ${idOf(196)}: ${inUse(idOf(196)).slice(0, -1)}.`,
        advice('cleanupFailed')
      ),
      facts: facts({
        cleanup: {
          dryRun: false,
          criteria: 'expired or created more than 30d ago',
          total: LISTING.length,
          malformed: 2,
          selected: EXPIRED,
          deleted: EXPIRED.slice(2),
          failed: EXPIRED.slice(0, 2).map(d => ({
            dataset: d,
            reason: t`${inUse(d.id)}`
          }))
        }
      })
    }
  },
  {
    title: 'cleanup: cancelled',
    input: {
      ...base,
      operation: 'cleanup',
      elapsedMs: 2_100,
      error: new CancelledError(t`The run was cancelled (SIGINT) before the operation finished.`),
      facts: facts({
        cleanup: {
          dryRun: false,
          criteria: 'expired',
          total: LISTING.length,
          malformed: 0,
          selected: EXPIRED,
          deleted: EXPIRED.slice(0, 9),
          failed: []
        }
      })
    }
  },
  {
    title: 'an input is not valid',
    input: {
      // The inputs are read before the operation is known.
      ...base,
      elapsedMs: 10,
      error: new InputError(
        t`Input "timeout" must be a positive number of seconds from 0.01 to 2000000 (fractions allowed, e.g. 0.5); got "soon".`
      ),
      facts: facts({})
    }
  }
]

/** docs/job-summaries.md: the examples shown, each under its title, as GitHub will render it. */
export function summariesDoc(): string {
  const parts = [
    '<!-- Generated by scripts/summary-examples.ts (npm run build): edit that file, not this one. -->',
    '',
    '# Job summaries',
    '',
    "What the action writes to the job summary, in six examples built by the action's own summary code from made-up facts (the times count from 2026-11-26 13:17 UTC). GitHub renders this page as it renders a job summary. Every summary starts with one line that says the outcome; a failed step's adds the failure line, its cause, the fix and what is left behind.",
    ''
  ]
  for (const { title, input } of SUMMARY_EXAMPLES.filter(example => example.shown)) {
    parts.push(`## Example: ${title}`, '', buildSummary(input))
  }
  return parts.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(path.join(ROOT, 'docs', 'job-summaries.md'), summariesDoc())
}
