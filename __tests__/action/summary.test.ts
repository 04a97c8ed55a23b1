/**
 * The job summary builders, on one example of each kind (scripts/summary-examples.ts, the same
 * examples docs/job-summaries.md shows): the first line says the outcome, a failure says what
 * next, times read as people read them, and nothing is said twice.
 */
import { describe, expect, test } from '@jest/globals'
import { buildSummary, SUMMARY_ROW_CAP, type SummaryInput } from '../../src/action/summary/build.js'
import { explainFailedRequest } from '../../src/nexus/failures.js'
import type { DatasetId } from '../../src/nexus/types.js'
import { advice } from '../../src/shared/advice.js'
import {
  ActionError,
  NexusApiError,
  TooManyDatasetsError,
  UploadError
} from '../../src/shared/errors.js'
import { keepSecret, t } from '../../src/shared/outside-text.js'
import { plainText } from '../../scripts/render-summary.js'
import { NOW, SUMMARY_EXAMPLES } from '../../scripts/summary-examples.js'

function example(title: string): SummaryInput {
  const found = SUMMARY_EXAMPLES.find(e => e.title === title)
  if (!found) throw new Error(`no summary example titled ${title}`)
  return found.input
}

const summaryOf = (title: string): string => buildSummary(example(title))
const firstLine = (summary: string): string => summary.split('\n')[0] ?? ''
const shown = plainText
/** One labelled paragraph of a failure summary (Failure, Cause, Fix, Left behind), as read. */
const said = (summary: string, label: string): string =>
  shown(summary.split('\n').find(line => line.startsWith(`<p><b>${label}:</b>`)) ?? '')
/** The rows of the tables in a summary, each as its cells' text. */
const rows = (summary: string): string[][] =>
  (summary.match(/<tr>.*?<\/tr>/g) ?? []).map(row =>
    (row.match(/<t[hd][^>]*>.*?<\/t[hd]>/g) ?? []).map(shown)
  )
const row = (summary: string, name: string): string[] | undefined =>
  rows(summary).find(r => r[0] === name)

describe('every summary', () => {
  test.each(SUMMARY_EXAMPLES.map(e => [e.title, e.input] as const))(
    '%s: opens with an icon and a sentence, blocks one line each, no raw timestamps or backticks',
    (_title, input) => {
      const summary = buildSummary(input)
      expect(firstLine(summary)).toMatch(/^<h3>(✅|❌|⚠️|⏳|🗑️|📋|🧹) \S.*<\/h3>$/u)
      // A blank line would end an HTML block and let what follows render as markdown.
      expect(summary.trimEnd()).not.toMatch(/\n\s*\n/)
      for (const line of summary.trimEnd().split('\n')) expect(line).toMatch(/^<(h3|h4|p|table)>/)
      expect(summary).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/)
      expect(summary).not.toMatch(/:\d\d\.\d{3}/)
      // HTML shows markdown's backticks as they are: code is <code>.
      expect(summary).not.toContain('`')
    }
  )

  test('a failure says what failed, why, and what to do; a success does not', () => {
    for (const { title, input } of SUMMARY_EXAMPLES) {
      const summary = buildSummary(input)
      const failed = input.error !== undefined
      expect([title, firstLine(summary).startsWith('<h3>❌')]).toEqual([title, failed])
      for (const label of ['Failure', 'Cause', 'Fix']) {
        expect([title, label, said(summary, label) !== '']).toEqual([title, label, failed])
      }
    }
  })
})

describe('success', () => {
  test('create: the outcome, then the dataset once, its file and the step’s time in one row', () => {
    const summary = summaryOf('create: the dataset is ready')
    expect(shown(firstLine(summary))).toBe(
      '✅ Dataset vision-a1b2c3d-42 is Uploaded: 120,000 items'
    )
    expect(summary.split('dataset_8f14e45f-ea9c-4b6e-9d7a-000000000001')).toHaveLength(2)
    expect(row(summary, 'Created')).toEqual(['Created', '2026-11-26 13:14 UTC (3 min ago)'])
    expect(row(summary, 'Expires')).toEqual(['Expires', '2026-12-06 13:14 UTC (in 10 d)'])
    expect(row(summary, 'Time')).toEqual(['Time', '14 s: check 180 ms, upload 3.0 s, wait 11 s'])
    expect(row(summary, 'Throughput')).toEqual(['Throughput', '12.0 MiB/s'])
    // Said by Nexus's count already, and the same number.
    expect(row(summary, 'Items counted')).toBeUndefined()
  })

  test('create of a small file: no throughput, which would be noise', () => {
    const summary = summaryOf('create: Nexus counted other than the file holds')
    expect(row(summary, 'Throughput')).toBeUndefined()
  })

  test('create: a count of Nexus’s that differs from the file’s is a warning row', () => {
    const summary = summaryOf('create: Nexus counted other than the file holds')
    expect(row(summary, '⚠️ Items counted')).toEqual([
      '⚠️ Items counted',
      '50 non-blank lines in data/items.ndjson, but Nexus counted 48 items'
    ])
  })

  test('create with if-exists: reuse says so, with why, and uploads nothing', () => {
    const summary = summaryOf('create: a dataset of that name is reused (if-exists: reuse)')
    expect(shown(firstLine(summary))).toBe(
      '✅ Dataset vision-a1b2c3d-42 is Uploaded: 50 items (reused, nothing uploaded)'
    )
    expect(row(summary, 'Reused')?.[1]).toMatch(/^yes: the newest dataset with this name/)
  })

  test('create with wait: false: created and uploaded, not waited for', () => {
    const summary = summaryOf('create: wait: false')
    expect(shown(firstLine(summary))).toBe(
      '✅ Dataset nightly-2026-11-26 created and uploaded; Nexus has it Processing (not waited for)'
    )
    expect(row(summary, 'Time')).toEqual(['Time', '600 ms: check 5 ms, upload 70 ms'])
  })

  test('a reused namesake still processing is neither "created" nor "uploaded"', () => {
    const summary = summaryOf('create: a namesake still processing is reused (wait: false)')
    expect(shown(firstLine(summary))).toBe(
      '⏳ Dataset nightly-2026-11-26 is Processing (reused, nothing uploaded; not waited for)'
    )
  })

  test('check: the file, its size and checksum', () => {
    const summary = summaryOf('check: the file is valid')
    expect(shown(firstLine(summary))).toBe(
      '✅ data/items.ndjson is valid NDJSON: 50 items, 4.4 KiB'
    )
    expect(row(summary, 'CRC-32C')).toEqual(['CRC-32C', 'vdJ+rQ=='])
    expect(row(summary, 'Time')).toEqual(['Time', '30 ms: check 5 ms'])
  })

  test('check: the items’ URLs, each check with its first lines, and the sample', () => {
    const summary = summaryOf('check: item URL problems, and a sample of 20')
    expect(summary).toContain('<h4>Item URLs</h4>')
    expect(row(summary, 'Repeated')).toEqual([
      'Repeated',
      '4: line 26 (as 1), 27 (as 2), 28 (as 3), …'
    ])
    expect(row(summary, 'Not http(s)')).toEqual(['Not http(s)', '1: line 9 (its scheme is s3:)'])
    expect(row(summary, 'Expiring within 1h')).toEqual(['Expiring within 1h', '0'])
    expect(row(summary, 'Sampled')).toEqual([
      'Sampled',
      '20 requested, 2 unreachable: line 12 (404: the object is missing), 40 (403: a private object, or a bad or expired signature)'
    ])
    expect(row(summary, 'Time')).toEqual(['Time', '900 ms: check 5 ms, URL sample 840 ms'])
  })

  test('the items’ URLs: no sample; a file with more items than the repeat check holds', () => {
    const input = example('create: signed item URLs expire too soon (url-problems: fail)')
    const urls = input.facts.urls
    if (!urls) throw new Error('the example has item URLs')
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, urls: { ...urls, remembered: 5_592_405 } }
    })
    expect(row(summary, 'Sampled')).toEqual(['Sampled', 'none (url-sample: 0)'])
    expect(row(summary, 'Expiring within 1d')).toEqual([
      'Expiring within 1d',
      '50: line 1 (AWS SigV4, in 5 h), 2 (AWS SigV4, in 5 h), 3 (AWS SigV4, in 5 h), …'
    ])
    expect(row(summary, 'Repeated')).toEqual([
      'Repeated',
      '0 (among the first 5,592,405 items only: 64.0 MiB holds no more)'
    ])
  })

  test('a summary without item URLs (get, or a file that failed its lines) has no such section', () => {
    expect(summaryOf('get: a dataset that failed')).not.toContain('Item URLs')
    expect(summaryOf('create: the file has bad lines')).not.toContain('Item URLs')
  })

  test('get of a failed dataset: a warning, the step itself did not fail', () => {
    const summary = summaryOf('get: a dataset that failed')
    expect(shown(firstLine(summary))).toBe('⚠️ Dataset merge-44 is FailedProcessing')
    // A read is one round trip: no time row.
    expect(row(summary, 'Time')).toBeUndefined()
  })

  test('delete', () => {
    expect(shown(firstLine(summaryOf('delete')))).toBe('🗑️ Deleted dataset vision-a1b2c3d-42')
  })
})

describe('failure: what next', () => {
  test('url-problems: fail: nothing created, the failure line, and the items’ URLs', () => {
    const summary = summaryOf('create: signed item URLs expire too soon (url-problems: fail)')
    expect(shown(firstLine(summary))).toBe('❌ create failed: nothing created')
    expect(said(summary, 'Failure')).toContain('50 expiring within 1d. Nothing was created')
    expect(said(summary, 'Left behind')).toBe('Left behind: nothing (no dataset was created).')
    expect(row(summary, 'CRC-32C')).toEqual(['CRC-32C', 'vdJ+rQ=='])
    expect(summary).toContain('<h4>Item URLs</h4>')
  })

  test('a bad file: its bad lines as a table, nothing created', () => {
    const summary = summaryOf('create: the file has bad lines')
    expect(shown(firstLine(summary))).toBe(
      '❌ data/items.ndjson is not valid NDJSON: 3 bad lines, nothing created'
    )
    expect(said(summary, 'Fix')).toContain('operation: check')
    expect(said(summary, 'Left behind')).toBe('Left behind: nothing (no dataset was created).')
    expect(row(summary, 'Bad lines')).toEqual(['Bad lines', '3 of 50 non-blank lines'])
    expect(row(summary, 'CRC-32C')).toBeUndefined()
    expect(rows(summary).filter(r => /^\d+$/.test(r[0] ?? ''))).toEqual([
      ['7', '–', '"url" is missing'],
      ['12', '31', 'not valid JSON: expected , or } after a value'],
      ['40', '–', '"url" must be a non-empty string, found a number']
    ])
  })

  test('a bad file past the annotations’ cap: the first bad lines, then how many more', () => {
    const input = example('create: the file has bad lines')
    const file = input.facts.file
    if (!file) throw new Error('the example has a file')
    const problems = Array.from({ length: 10 }, (_, i) => ({ line: i + 1, message: 'x' }))
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, file: { ...file, badLines: 25, problems } }
    })
    expect(rows(summary).filter(r => /^\d+$/.test(r[0] ?? ''))).toHaveLength(10)
    expect(shown(summary)).toContain('… and 15 more bad lines, not annotated')
  })

  test('a file in the wrong format: the cause and its fix, apart, code as <code>', () => {
    const summary = summaryOf('check: the file is in the wrong format as a whole')
    expect(shown(firstLine(summary))).toBe(
      '❌ data/items.ndjson is UTF-16 text (as Windows PowerShell 5.1 writes it)'
    )
    expect(said(summary, 'Cause')).toContain('data/items.ndjson is UTF-16 text')
    expect(said(summary, 'Fix')).toMatch(
      /^Fix: Save it as UTF-8 without a byte-order mark: in Windows PowerShell 5\.1 \[IO\.File\]::WriteAllLines\(\$path, \$lines\), in PowerShell 7 Set-Content -Encoding utf8NoBOM\./
    )
    expect(summary).toContain('<code>Set-Content -Encoding utf8NoBOM</code>')
    // check creates nothing, and says nothing of it.
    expect(said(summary, 'Left behind')).toBe('')
  })

  test('FailedProcessing: Nexus’s words, and the kept dataset with its expiry and how to delete it', () => {
    const summary = summaryOf('create: the dataset ended FailedProcessing')
    expect(shown(firstLine(summary))).toBe('❌ Dataset merge-44 ended FailedProcessing')
    expect(said(summary, 'Cause')).toContain(
      'Nexus says: “Items 3, 17 and 41: url could not be fetched”'
    )
    expect(said(summary, 'Left behind')).toBe(
      'Left behind: the dataset below, FailedProcessing, is kept until it expires on 2026-12-06 13:08 UTC (in 10 d). To remove it now, run operation: delete with dataset-id: dataset_8f14e45f-ea9c-4b6e-9d7a-000000000002; a scheduled operation: cleanup removes it once it has expired.'
    )
  })

  test('a timeout: still in progress, how long it waited, and to wait on in a later step', () => {
    const summary = summaryOf('create: not ready before the timeout')
    expect(shown(firstLine(summary))).toBe(
      '❌ Dataset nightly-2026-11-26 was not ready within 30 min: still Processing'
    )
    expect(said(summary, 'Fix')).toContain('operation: wait')
    expect(said(summary, 'Left behind')).toContain('It may still become ready')
  })

  test('a failed upload whose dataset was deleted leaves nothing behind', () => {
    const summary = summaryOf('create: the upload failed, the dataset was deleted')
    expect(shown(firstLine(summary))).toBe('❌ The upload of data/items.ndjson failed')
    expect(said(summary, 'Left behind')).toBe(
      'Left behind: nothing (the dataset was deleted, as its file never arrived).'
    )
  })

  test('a failed upload’s deleted dataset: no status or expiry that no longer hold', () => {
    const summary = summaryOf('create: the upload failed, the dataset was deleted')
    expect(row(summary, 'Status')).toEqual(['Status', 'deleted'])
    expect(row(summary, 'Expires')).toBeUndefined()
  })

  test('412: the file landed; the fix is to wait, not to create a twin', () => {
    const summary = summaryOf('create: the upload landed, but Nexus has not confirmed it')
    expect(shown(firstLine(summary))).toBe(
      '❌ The upload of data/items.ndjson landed, but Nexus has not confirmed it'
    )
    expect(said(summary, 'Fix')).toBe(
      'Fix: Do not create it again: wait for it with operation: wait and dataset-id: dataset_8f14e45f-ea9c-4b6e-9d7a-000000000004.'
    )
    expect(said(summary, 'Left behind')).toContain('the dataset below, Waiting, is kept')
    // The storage holds the file: no "if its file landed".
    expect(said(summary, 'Left behind')).toContain(
      'It may still become ready: wait for it with operation: wait.'
    )
  })

  test('a create request left unanswered: no "nothing created", and how to find what it may have made', () => {
    const summary = summaryOf('create: the create request got no answer')
    expect(shown(firstLine(summary))).toBe('❌ Nexus kept failing (HTTP 503)')
    expect(said(summary, 'Left behind')).toBe(
      'Left behind: no dataset is known, but the create request got no clear answer, so Nexus may have made one named nightly-2026-11-26, waiting for a file that will not come. operation: list with name-pattern: nightly-2026-11-26 finds it; a scheduled operation: cleanup removes it once it has expired.'
    )
  })

  test('an expired dataset left behind is not said to be kept until it expires', () => {
    const input = example('create: the dataset ended FailedProcessing')
    const dataset = input.facts.dataset
    if (!dataset) throw new Error('the example has a dataset')
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, dataset: { ...dataset, expiryTime: NOW - 3 * 86_400_000 } }
    })
    expect(said(summary, 'Left behind')).toMatch(
      /^Left behind: the dataset below, FailedProcessing, is expired \(2026-11-23 13:17 UTC \(expired 3 d ago\)\)\. The next scheduled operation: cleanup removes it; to remove it now, run operation: delete with dataset-id: dataset_/
    )
  })

  test('wait on a dataset that failed: recreate it with create, not "run the step again"', () => {
    const summary = summaryOf('wait: the dataset ended FailedUpload')
    expect(shown(firstLine(summary))).toBe('❌ Dataset weekly-48 ended FailedUpload')
    expect(said(summary, 'Cause')).toBe(
      'Cause: Nexus could not take or process the file (an item whose url it cannot fetch, say). Nexus says: “CRC-32C mismatch”.'
    )
    expect(said(summary, 'Fix')).toContain('create the dataset again (operation: create)')
    expect(said(summary, 'The dataset')).toMatch(
      /^The dataset: FailedUpload, kept until it expires/
    )
  })

  test('if-exists: fail', () => {
    const summary = summaryOf('create: a dataset of that name exists (if-exists: fail)')
    expect(shown(firstLine(summary))).toBe(
      '❌ A dataset with this name already exists: nothing created'
    )
    expect(said(summary, 'Fix')).toContain('if-exists: reuse')
  })

  test('a refused key names the input to check, and the project', () => {
    const summary = summaryOf('get: the secret key is refused')
    expect(shown(firstLine(summary))).toBe('❌ Nexus refused the secret key (401)')
    expect(said(summary, 'Fix')).toContain('secret-key')
    expect(said(summary, 'Cause')).toContain('proj_ca5fe71e7592bbcf7705ea36e4f29ed4')
    expect(said(summary, 'Left behind')).toBe('')
  })

  test('a cancelled wait: the dataset is kept and may still get ready', () => {
    const summary = summaryOf('wait: cancelled')
    expect(shown(firstLine(summary))).toBe('❌ Cancelled: wait did not finish')
    expect(said(summary, 'The dataset')).toMatch(
      /^The dataset: Processing, kept until it expires on .*wait for it with operation: wait/
    )
    expect(said(summary, 'Left behind')).toBe('')
  })

  test.each([
    [403, 'get', 'the project', '❌ Nexus refused the secret key (403)', 'project-id'],
    [404, 'get', 'a dataset', '❌ Dataset not found in Nexus (404)', 'dataset-id'],
    // create re-reads the dataset it made: gone, that is the dataset, not the project.
    [404, 'create', 'a dataset', '❌ Dataset not found in Nexus (404)', 'dataset-id'],
    [404, 'list', 'the project', '❌ Nexus answered “not found” (404)', 'api-url'],
    [
      429,
      'cleanup',
      'the project',
      '❌ Nexus kept refusing: too many requests (429)',
      'concurrency'
    ],
    [400, 'get', 'the project', '❌ Nexus refused the request (HTTP 400)', 'inputs']
  ] as const)('HTTP %d on %s about %s: %s', (status, operation, about, headline, inFix) => {
    const summary = buildSummary({
      ...example('get: the secret key is refused'),
      operation,
      error: explainFailedRequest(new NexusApiError(t`answered ${status}`, status, ''), 1, {
        to: 'api',
        doing: t`reading`,
        origin: 'https://api.datature.io',
        projectId: 'proj_1',
        ...(about === 'a dataset' ? { datasetId: 'dataset_1' as DatasetId } : {})
      })
    })
    expect(shown(firstLine(summary))).toBe(headline)
    expect(said(summary, 'Fix')).toContain(inFix)
  })

  test.each([
    [
      'badUploadUrl',
      '❌ Nexus handed out an upload URL the action will not use',
      'Datature support'
    ],
    [
      'notStorage',
      '❌ Something other than the storage answered the upload of data/items.ndjson',
      'https_proxy'
    ]
  ] as const)('an upload refused as %s: its own cause and fix', (kind, headline, inFix) => {
    const summary = buildSummary({
      ...example('create: the upload failed, the dataset was deleted'),
      error: new UploadError(t`Refused. Nothing was sent.`, 0, '', undefined, advice(kind))
    })
    expect(shown(firstLine(summary))).toBe(headline)
    expect(said(summary, 'Fix')).toContain(inFix)
  })

  test('a project with more datasets than the action reads', () => {
    const summary = buildSummary({
      ...example('get: the secret key is refused'),
      operation: 'cleanup',
      error: new TooManyDatasetsError(t`Listing stopped after 1000 pages.`)
    })
    expect(shown(firstLine(summary))).toBe(
      '❌ The project holds more datasets than the action reads'
    )
  })

  test('a reused dataset that then timed out: nothing new left, and no advice to delete it', () => {
    const input = example('create: not ready before the timeout')
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, reused: true }
    })
    expect(said(summary, 'Left behind')).toBe(
      'Left behind: nothing new: the dataset below was reused, not made by this step (Processing). It may still become ready: wait for it with operation: wait.'
    )
  })

  test('a bad input', () => {
    const summary = summaryOf('an input is not valid')
    expect(shown(firstLine(summary))).toBe('❌ An input of the step is not valid: nothing was done')
    expect(said(summary, 'Failure')).toContain('Input "timeout"')
  })

  test('a bug says so, and how to report it', () => {
    const summary = buildSummary({
      ...example('get: the secret key is refused'),
      error: new TypeError('x is undefined')
    })
    expect(shown(firstLine(summary))).toBe('❌ The action hit a bug: get did not finish')
    expect(said(summary, 'Failure')).toContain('This is a bug in nexus-dataset-action')
  })

  test('a name cut for a heading is redacted first: no piece of a credential survives the cut', () => {
    const secret = 'sk_live_0123456789abcdefSECRET'
    keepSecret(secret)
    const input = example('get: a dataset that failed')
    const dataset = input.facts.dataset
    if (!dataset) throw new Error('the example has a dataset')
    // The cut (64 characters) falls inside the key.
    const name = `${'n'.repeat(50)}${secret}`
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, dataset: { ...dataset, name } }
    })
    for (let i = 0; i + 8 <= secret.length; i++) {
      expect(summary).not.toContain(secret.slice(i, i + 8))
    }
  })

  test('outside text in a failure is escaped, never markup', () => {
    const summary = buildSummary({
      ...example('an input is not valid'),
      error: new (class extends Error {})(t`<img src=x onerror=alert(1)>`)
    })
    expect(summary).not.toContain('<img')
    expect(summary).toContain('&lt;img src=x')
  })

  test('backticks in a failure line become <code>, escaped; one without a partner stays', () => {
    const summary = buildSummary({
      ...example('an input is not valid'),
      error: new ActionError(t`Run \`jq -c '.[]' <a.json\` first, or \`stop`)
    })
    expect(said(summary, 'Failure')).toBe("Failure: Run jq -c '.[]' <a.json first, or `stop")
    expect(summary).toContain("<code>jq -c '.[]' &lt;a.json</code> first, or `stop</p>")
  })
})

describe('list', () => {
  test('the intro counts the expired; past the cap, how many of each kind and where they are', () => {
    const summary = summaryOf('list: expired shown and marked, rows capped')
    expect(shown(firstLine(summary))).toBe(
      '📋 120 datasets listed from project proj_ca5fe71e7592bbcf7705ea36e4f29ed4'
    )
    expect(summary).toContain('<p>120 datasets in the project, 25 expired.</p>')
    expect(rows(summary)).toHaveLength(SUMMARY_ROW_CAP + 1)
    expect(shown(summary)).toContain(
      'Not shown: 70 more datasets (25 expired, 45 not expired). All 120 are in the step’s datasets output'.replace(
        '’',
        "'"
      )
    )
    expect(summary).toContain('<code>datasets-file</code>')
  })

  test('an expired dataset is marked in its row, dates in cells that do not wrap', () => {
    const input = example('list: expired shown and marked, rows capped')
    const listing = input.facts.listing
    if (!listing) throw new Error('the example lists')
    const expired = listing.datasets.slice(-2)
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, listing: { ...listing, datasets: expired, total: 2, expired: 2 } }
    })
    const [header, first] = rows(summary)
    expect(header).toEqual(['Dataset', 'Status', 'Items', 'Created (UTC)', 'Expires (UTC)'])
    expect(first?.[1]).toBe('Uploaded · expired')
    expect(first?.[4]).toMatch(/^2026-11-\d\d \d\d:17 expired \d+ d ago$/)
    expect(summary).toMatch(/<td nowrap>2026-11-\d\d \d\d:17<br>expired \d+ d ago<\/td>/)
    expect(shown(summary)).not.toContain('Not shown')
  })

  test('hidden datasets are counted by why', () => {
    const summary = summaryOf('list: expired hidden')
    expect(shown(summary)).toContain(
      '120 datasets in the project, 25 expired. Hidden: 25 expired (show-expired: true shows them); 92 not matching name-pattern: nightly-12*.'
    )
  })
})

describe('cleanup', () => {
  test('dry run: what would go, totals before the table, nothing deleted', () => {
    const summary = summaryOf('cleanup: dry run')
    const lines = summary.split('\n')
    expect(shown(lines[0] ?? '')).toBe('🧹 Dry run: would delete 25 of 120 datasets (expired)')
    expect(shown(lines[1] ?? '')).toBe(
      'Would delete: 25 · Kept: 95. Nothing was deleted (dry-run: true).'
    )
    expect(lines[2]).toMatch(/^<table>/)
  })

  test('done: the outcome and totals first, then what was deleted', () => {
    const summary = summaryOf('cleanup: done')
    const lines = summary.split('\n')
    expect(shown(lines[0] ?? '')).toBe('🧹 Deleted 25 of 120 datasets (expired)')
    expect(shown(lines[1] ?? '')).toBe('Deleted: 25 · Failed: 0 · Kept: 95.')
    expect(
      rows(summary)
        .slice(1)
        .every(r => r[1] === 'Uploaded · expired')
    ).toBe(true)
  })

  test('nothing to delete says so', () => {
    const input = example('cleanup: done')
    const cleanup = input.facts.cleanup
    if (!cleanup) throw new Error('the example cleans up')
    const summary = buildSummary({
      ...input,
      facts: { ...input.facts, cleanup: { ...cleanup, selected: [], deleted: [] } }
    })
    expect(shown(firstLine(summary))).toBe('🧹 Nothing to delete: none of 120 datasets is expired')
  })

  test('cancelled: what was deleted before the stop, and what was not reached', () => {
    const summary = summaryOf('cleanup: cancelled')
    expect(shown(firstLine(summary))).toBe(
      '❌ Cancelled: cleanup deleted 9 of 25 selected datasets'
    )
    expect(shown(summary)).toContain('Deleted: 9 · Failed: 0 · Kept: 95 · Not reached: 16.')
  })

  test('some failed: the failure first, then the totals, the failed ones and why', () => {
    const summary = summaryOf('cleanup: some deletions failed')
    expect(shown(firstLine(summary))).toBe(
      '❌ Cleanup deleted 23 of 25 selected datasets: 2 failed'
    )
    expect(shown(summary)).toContain('Deleted: 23 · Failed: 2 · Kept: 95. Skipped as malformed: 2.')
    expect(summary).toContain('<h4>Could not delete</h4>')
    expect(row(summary, 'nightly-025 dataset_8f14e45f-ea9c-4b6e-9d7a-0000000000c3')?.[1]).toBe(
      'Nexus rejected deleting dataset dataset_8f14e45f-ea9c-4b6e-9d7a-0000000000c3 (HTTP 409: Dataset is in use by a running batch job).'
    )
  })
})
