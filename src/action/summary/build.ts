/**
 * The job summary of a step, built from what the step found and did (StepFacts), whether it
 * succeeded or failed. Its first line says the outcome with an icon; a failure then says why,
 * what to do and what is left behind; the details follow. Pure: the same facts, error and time
 * give the same text, so every kind of summary is a unit test.
 */
import { hiddenFromListing, isExpired } from '../../operations/dataset-selection.js'
import type { Operation, StepFacts, FileFacts } from '../../operations/context.js'
import {
  FAILED_STATUSES,
  READY_STATUS,
  WAITING_STATUS,
  isSettled,
  type Dataset
} from '../../nexus/types.js'
import { UploadUnconfirmedError } from '../../shared/errors.js'
import { formatBytes, readableDuration } from '../../shared/format.js'
import { NAME_IN_HEADING, explainFailure, failureWhat } from './explain.js'
import { itemUrlBlocks } from './item-urls.js'
import {
  cell,
  code,
  count,
  cut,
  num,
  expiry,
  fieldTable,
  heading,
  paragraph,
  table,
  text,
  when,
  withCode,
  type Cell
} from './html.js'

/** Rows past this are counted, not shown: a summary is not a data dump (the outputs have all). */
export const SUMMARY_ROW_CAP = 50
/** Uploads smaller than this say nothing of throughput: their time is mostly round trips. */
const THROUGHPUT_FROM_BYTES = 1048576
/** How much of a name a table shows before `…` (the outputs have it whole). */
const NAME_IN_TABLE = 48

export interface SummaryInput {
  /** Unknown when the inputs could not be read. */
  operation?: Operation
  projectId?: string
  facts: StepFacts
  /** What the step failed with; absent when it succeeded. */
  error?: unknown
  /** Time of writing, epoch ms: relative times count from it. */
  now: number
  /** How long the whole step took. */
  elapsedMs: number
}

export function buildSummary(input: SummaryInput): string {
  const blocks = input.error === undefined ? success(input) : failure(input)
  return `${blocks.join('\n')}\n`
}

function success(input: SummaryInput): string[] {
  const { facts, operation } = input
  if (facts.cleanup) return cleanupBlocks(input)
  if (facts.listing) return listBlocks(input)
  if (operation === 'check' && facts.file) {
    const f = facts.file
    return [
      heading(
        `✅ ${text(f.shown)} is valid NDJSON: ${count(f.items, 'item')}, ${formatBytes(f.sizeBytes)}`
      ),
      paragraph(`Ready to upload with <code>operation: create</code>.`),
      fieldTable([...fileRows(f), ['Items', cell(count(f.items, 'item'))], ...timeRows(input)]),
      ...itemUrlBlocks(facts.urls, input.now)
    ]
  }
  if (facts.missing) {
    return [
      heading(`🗑️ Dataset ${text(facts.missing)} was not there: nothing to delete`),
      paragraph('<code>if-missing: ignore</code> counts a missing dataset as deleted already.')
    ]
  }
  const d = facts.dataset
  if (!d) return [heading('✅ Done')]
  const name = cut(d.name || d.id, NAME_IN_HEADING)
  const status = text(d.status.overview)
  let line: string
  if (operation === 'delete') line = `🗑️ Deleted dataset ${name}`
  else if (d.status.overview === READY_STATUS) {
    const items = d.status.itemCount === undefined ? '' : `: ${count(d.status.itemCount, 'item')}`
    line = `✅ Dataset ${name} is ${status}${items}${facts.reused ? ' (reused, nothing uploaded)' : ''}`
  } else if (FAILED_STATUSES.includes(d.status.overview)) {
    // Only get gets here: reading a failed dataset is a success of the step, not of the dataset.
    line = `⚠️ Dataset ${name} is ${status}`
  } else if (facts.reused) {
    line = `⏳ Dataset ${name} is ${status} (reused, nothing uploaded; not waited for)`
  } else if (operation === 'create') {
    line = `✅ Dataset ${name} created and uploaded; Nexus has it ${status} (not waited for)`
  } else {
    line = `⏳ Dataset ${name} is ${status}`
  }
  return [heading(line), fieldTable(datasetRows(d, input)), ...itemUrlBlocks(facts.urls, input.now)]
}

function failure(input: SummaryInput): string[] {
  const { facts, operation, error } = input
  const why = explainFailure(error, operation, facts)
  const blocks = [
    heading(`❌ ${why.headline}`),
    paragraph(`<b>Failure:</b> ${withCode(failureWhat(error))}`),
    paragraph(`<b>Cause:</b> ${why.cause}`),
    paragraph(`<b>Fix:</b> ${why.fix}`)
  ]
  const left = leftBehind(input)
  // wait did not make the dataset: what it is left as, not what the step left.
  const label = operation === 'wait' ? 'The dataset' : 'Left behind'
  if (left) blocks.push(paragraph(`<b>${label}:</b> ${left}`))
  // The details of the success summary, under the failure's own headline.
  if (facts.cleanup) return [...blocks, ...cleanupBlocks(input).slice(1)]
  if (facts.listing) return [...blocks, ...listBlocks(input).slice(1)]
  const urls = itemUrlBlocks(facts.urls, input.now)
  if (facts.dataset) return [...blocks, fieldTable(datasetRows(facts.dataset, input)), ...urls]
  if (facts.file) {
    blocks.push(fieldTable(fileRows(facts.file)))
    if (facts.file.badLines > 0 && !facts.file.cause) blocks.push(...badLineBlocks(facts.file))
  }
  return [...blocks, ...urls]
}

/**
 * What a failed create (or wait) leaves in Nexus, and how to be rid of it; nothing for the
 * operations that only read or delete.
 */
function leftBehind({ operation, facts, now, error }: SummaryInput): string | undefined {
  if (operation !== 'create' && operation !== 'wait') return undefined
  const d = facts.dataset
  if (operation === 'create' && !d) {
    const unanswered = facts.unansweredCreate
    if (!unanswered) return 'nothing (no dataset was created).'
    return `no dataset is known, but the create request got no clear answer, so Nexus may have made one named ${code(cut(unanswered.name, NAME_IN_HEADING))}, waiting for a file that will not come. ${code('operation: list')} with ${code(`name-pattern: ${text(unanswered.name)}`)} finds it; a scheduled ${code('operation: cleanup')} removes it once it has expired.`
  }
  if (!d) return undefined
  if (facts.deleted) return 'nothing (the dataset was deleted, as its file never arrived).'
  const status = text(d.status.overview)
  // The storage holds the file, so only Nexus's word is missing.
  const landed = error instanceof UploadUnconfirmedError
  const mayFinish = !isSettled(d)
    ? ` It may still become ready: ${d.status.overview === WAITING_STATUS && !landed ? 'if its file landed, ' : ''}wait for it with ${code('operation: wait')}.`
    : ''
  // Other jobs may rely on a dataset this step only reused: no advice to delete it.
  if (facts.reused) {
    return `nothing new: the dataset below was reused, not made by this step (${status}).${mayFinish}`
  }
  const which = operation === 'wait' ? `${status}, ` : `the dataset below, ${status}, is `
  const expired = isExpired(d, now)
  const stays =
    d.expiryTime === undefined
      ? `${which}kept (Nexus gave it no expiry time).`
      : expired
        ? `${which}expired (${expiry(d.expiryTime, now).html}).`
        : `${which}kept until it expires on ${expiry(d.expiryTime, now).html}.`
  const remove = `run ${code('operation: delete')} with ${code(`dataset-id: ${text(d.id)}`)}`
  if (expired) {
    return `${stays}${mayFinish} The next scheduled ${code('operation: cleanup')} removes it; to remove it now, ${remove}.`
  }
  const cleanup =
    d.expiryTime === undefined
      ? ''
      : `; a scheduled ${code('operation: cleanup')} removes it once it has expired`
  return `${stays}${mayFinish} To remove it now, ${remove}${cleanup}.`
}

/** One dataset (and, for create, its file and timings) as named rows; the id once. */
function datasetRows(d: Dataset, input: SummaryInput): Array<[string, Cell]> {
  const { facts, now } = input
  const rows: Array<[string, Cell]> = [['Dataset', cell(text(d.id), true)]]
  if ([...d.name].length > NAME_IN_HEADING) rows.push(['Name', cell(text(d.name))])
  // What Nexus last said of a dataset this step then deleted no longer holds.
  rows.push(['Status', cell(facts.deleted ? 'deleted' : statusText(d, now))])
  if (d.status.itemCount !== undefined) rows.push(['Items', cell(num(d.status.itemCount))])
  const file = facts.file
  if (
    file &&
    d.status.overview === READY_STATUS &&
    d.status.itemCount !== undefined &&
    d.status.itemCount !== file.items
  ) {
    rows.push([
      '⚠️ Items counted',
      cell(
        `${count(file.items, 'non-blank line')} in ${text(file.shown)}, but Nexus counted ${count(d.status.itemCount, 'item')}`
      )
    ])
  }
  rows.push(['Created', when(d.createDate, now)])
  if (!facts.deleted) rows.push(['Expires', expiry(d.expiryTime, now)])
  if (facts.reused) {
    rows.push([
      'Reused',
      cell('yes: the newest dataset with this name past Waiting and not failed')
    ])
  }
  if (file) rows.push(...fileRows(file))
  rows.push(...timeRows(input))
  return rows
}

/**
 * The file: its path and size, then its checksum; for a bad file (whose checksum helps nobody)
 * its count of bad lines instead, or nothing more when it is in the wrong format as a whole.
 */
function fileRows(file: FileFacts): Array<[string, Cell]> {
  const size = (bytes: number): string => `${formatBytes(bytes)} (${num(bytes)} bytes)`
  const gzip =
    file.gzipBytes === undefined ? '' : `, decompressed from gzip: ${size(file.gzipBytes)} on disk`
  const rows: Array<[string, Cell]> = [
    ['File', cell(text(file.shown))],
    ['Size', cell(`${size(file.sizeBytes)}${gzip}`)]
  ]
  if (file.badLines === 0) rows.push(['CRC-32C', cell(`<code>${text(file.crc32c)}</code>`)])
  else if (!file.cause) {
    rows.push([
      'Bad lines',
      cell(`${num(file.badLines)} of ${count(file.items, 'non-blank line')}`)
    ])
  }
  return rows
}

/** The whole step's time in one row, split by part; throughput only where it means something. */
function timeRows({ facts, elapsedMs }: SummaryInput): Array<[string, Cell]> {
  const { check, sample, upload, wait } = facts.durations
  const parts: string[] = []
  if (check !== undefined) parts.push(`check ${readableDuration(check)}`)
  if (sample !== undefined) parts.push(`URL sample ${readableDuration(sample)}`)
  if (upload !== undefined) {
    const attempts =
      facts.upload && facts.upload.attempts > 1 ? ` (${facts.upload.attempts} attempts)` : ''
    parts.push(`upload ${readableDuration(upload)}${attempts}`)
  }
  // A dataset ready at the first read (a reused one, say) was not waited for.
  if (wait) parts.push(`wait ${readableDuration(wait)}`)
  // A read or a delete is one round trip: its time says nothing.
  if (parts.length === 0) return []
  const rows: Array<[string, Cell]> = [
    ['Time', cell(`${readableDuration(elapsedMs)}: ${parts.join(', ')}`)]
  ]
  if (
    facts.upload &&
    facts.file &&
    facts.file.sizeBytes >= THROUGHPUT_FROM_BYTES &&
    facts.upload.bytesPerSecond > 0
  ) {
    rows.push(['Throughput', cell(`${(facts.upload.bytesPerSecond / 1048576).toFixed(1)} MiB/s`)])
  }
  return rows
}

/**
 * The first bad lines, and how many more there are. The checker keeps only as many as it
 * annotates, so the table is capped as the annotations are.
 */
function badLineBlocks(file: FileFacts): string[] {
  const shown = file.problems
  const blocks = [
    table(
      ['Line', 'Column', 'Problem'],
      shown.map(p => [
        cell(String(p.line)),
        cell(p.column ? String(p.column) : '–'),
        cell(text(p.message))
      ])
    )
  ]
  const more = file.badLines - shown.length
  if (more > 0)
    blocks.push(
      paragraph(
        `… and ${count(more, 'more bad line')}, not annotated: fix these first, then run again to see the rest.`
      )
    )
  return blocks
}

function statusText(d: Dataset, now: number): string {
  return `${text(d.status.overview)}${isExpired(d, now) ? ' · expired' : ''}`
}

/** A dataset in a table: its name over its id, in one cell, neither wrapping. */
function datasetCell(d: Dataset): Cell {
  return cell(`${cut(d.name, NAME_IN_TABLE)}<br>${text(d.id)}`, true)
}

/** Datasets as a table, capped; past the cap, how many of each kind are not shown and where they are. */
function datasetTable(datasets: Dataset[], input: SummaryInput): string[] {
  const { now } = input
  if (datasets.length === 0) return [paragraph('No datasets.')]
  const shown = datasets.slice(0, SUMMARY_ROW_CAP)
  const blocks = [
    table(
      ['Dataset', 'Status', 'Items', 'Created (UTC)', 'Expires (UTC)'],
      shown.map(d => [
        datasetCell(d),
        cell(statusText(d, now)),
        cell(d.status.itemCount === undefined ? '–' : num(d.status.itemCount)),
        when(d.createDate, now, true),
        expiry(d.expiryTime, now, true)
      ])
    )
  ]
  const rest = datasets.slice(SUMMARY_ROW_CAP)
  if (rest.length > 0) {
    const expired = rest.filter(d => isExpired(d, now)).length
    const live = rest.length - expired
    const kinds = [
      expired > 0 ? `${num(expired)} expired` : '',
      live > 0 ? `${num(live)} not expired` : ''
    ]
    blocks.push(
      paragraph(
        `Not shown: ${count(rest.length, 'more dataset')} (${kinds.filter(Boolean).join(', ')}). All ${num(datasets.length)} are in the step's <code>datasets</code> output (as many as fit in 1 MB) and in the JSON file named by its <code>datasets-file</code> output.`
      )
    )
  }
  return blocks
}

function listBlocks(input: SummaryInput): string[] {
  const listing = input.facts.listing
  if (!listing) return []
  const { datasets, total, expired } = listing
  const where = listing.partial ? 'in the part of the listing read' : 'in the project'
  const project = input.projectId ? ` ${text(input.projectId)}` : ''
  const hidden = hiddenFromListing(listing)
  const blocks = [
    heading(`📋 ${count(datasets.length, 'dataset')} listed from project${project}`),
    paragraph(
      `${count(total, 'dataset')} ${where}, ${num(expired)} expired.${hidden ? ` Hidden: ${withCode(hidden)}.` : ''}`
    ),
    ...datasetTable(datasets, input)
  ]
  if (listing.morePages)
    blocks.push(
      paragraph(
        'More datasets follow: pass the <code>next-page</code> output as <code>page</code> to list them.'
      )
    )
  return blocks
}

function cleanupBlocks(input: SummaryInput): string[] {
  const c = input.facts.cleanup
  if (!c) return []
  const kept = c.total - c.selected.length
  const criteria = text(c.criteria)
  const malformed = c.malformed > 0 ? ` Skipped as malformed: ${num(c.malformed)}.` : ''
  if (c.dryRun) {
    return [
      heading(
        `🧹 Dry run: would delete ${num(c.selected.length)} of ${count(c.total, 'dataset')} (${criteria})`
      ),
      paragraph(
        `<b>Would delete: ${num(c.selected.length)} · Kept: ${num(kept)}</b>. Nothing was deleted (<code>dry-run: true</code>).${malformed}`
      ),
      ...datasetTable(c.selected, input)
    ]
  }
  const notReached = c.selected.length - c.deleted.length - c.failed.length
  const line =
    c.selected.length === 0
      ? `🧹 Nothing to delete: none of ${count(c.total, 'dataset')} is ${criteria}`
      : `🧹 Deleted ${num(c.deleted.length)} of ${count(c.total, 'dataset')} (${criteria})`
  const totals = paragraph(
    `<b>Deleted: ${num(c.deleted.length)} · Failed: ${num(c.failed.length)} · Kept: ${num(kept)}</b>${notReached > 0 ? ` · Not reached: ${num(notReached)}` : ''}.${malformed}`
  )
  const blocks = [heading(line), totals]
  if (c.failed.length > 0) {
    blocks.push(
      '<h4>Could not delete</h4>',
      table(
        ['Dataset', 'Why'],
        c.failed.slice(0, SUMMARY_ROW_CAP).map(f => [datasetCell(f.dataset), cell(text(f.reason))])
      )
    )
    // No output lists the failed ones: the log has each in the deletions' group.
    if (c.failed.length > SUMMARY_ROW_CAP)
      blocks.push(
        paragraph(
          `… and ${num(c.failed.length - SUMMARY_ROW_CAP)} more, each named in the log's group of deletions.`
        )
      )
  }
  if (c.deleted.length > 0) blocks.push('<h4>Deleted</h4>', ...datasetTable(c.deleted, input))
  return blocks
}
