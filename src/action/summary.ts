import * as core from '@actions/core'
import { log } from './log.js'
import { isoTime } from '../shared/format.js'
import type { Dataset } from '../nexus/types.js'
import type { Row } from '../operations/context.js'
import { inert, t, type Inert } from '../shared/outside-text.js'

/** Rows past this go into an "and N more" line: a summary is not a data dump. */
export const SUMMARY_ROW_CAP = 50

type Cell = string | { data: string; header: true }

/**
 * Writes the job summary, or nothing when the step runs outside a runner
 * (GITHUB_STEP_SUMMARY unset): a missing summary file is not worth failing for.
 */
async function write(build: (summary: typeof core.summary) => void): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  build(core.summary)
  try {
    await core.summary.write()
  } catch (error) {
    log.warning(t`Could not write the job summary: ${(error as Error).message}`)
  }
}

/**
 * Every piece of text in the summary goes through here: made inert (line breaks become a visible
 * `\n`, so no blank line can end the table and let what follows render as markdown), then
 * HTML-escaped, so a name shows as text and never as markup, an image or a link.
 */
function text(value: unknown): string {
  return escapeHtml(inert(value))
}

/** How each dataset field reads in a summary; the id set as code. */
const FIELDS = {
  Dataset: (d: Dataset) => `<code>${text(d.id)}</code>`,
  Name: (d: Dataset) => text(d.name),
  Status: (d: Dataset) => text(d.status.overview),
  Items: (d: Dataset) => (d.status.itemCount === undefined ? '–' : text(d.status.itemCount)),
  Created: (d: Dataset) => isoTime(d.createDate) || '–',
  Expires: (d: Dataset) => isoTime(d.expiryTime) || '–',
  Expired: (d: Dataset) => isoTime(d.expiryTime) || '–'
}
type Field = keyof typeof FIELDS
const LIST_COLUMNS: Field[] = ['Dataset', 'Name', 'Status', 'Items', 'Created', 'Expires']
const CLEANUP_COLUMNS: Field[] = ['Dataset', 'Name', 'Created', 'Expired']

/** One dataset as a two-column table, plus plain-text rows the operation adds. */
export async function writeDatasetSummary(
  heading: Inert,
  dataset: Dataset,
  extra: Row[] = []
): Promise<void> {
  await write(summary => {
    summary.addHeading(text(heading), 3)
    summary.addTable([
      [header('Field'), header('Value')],
      ...LIST_COLUMNS.map((field): Cell[] => [field, FIELDS[field](dataset)]),
      ...extra.map(([field, value]): Cell[] => [text(field), text(value)])
    ])
  })
}

/** Rows alone, as a two-column table. */
export async function writeRowsSummary(heading: Inert, rows: Row[]): Promise<void> {
  await write(summary => {
    summary.addHeading(text(heading), 3)
    summary.addTable([
      [header('Field'), header('Value')],
      ...rows.map(([field, value]): Cell[] => [text(field), text(value)])
    ])
  })
}

/** Datasets as a table, capped at SUMMARY_ROW_CAP rows. */
export async function writeDatasetTable(
  heading: Inert,
  datasets: Dataset[],
  options: { note?: Inert; footer?: Inert; forCleanup?: boolean } = {}
): Promise<void> {
  const columns = options.forCleanup ? CLEANUP_COLUMNS : LIST_COLUMNS
  await write(summary => {
    summary.addHeading(text(heading), 3)
    if (options.note) summary.addRaw(`<p>${text(options.note)}</p>`, true)
    if (datasets.length === 0) {
      summary.addRaw('<p>No datasets.</p>', true)
    } else {
      const shown = datasets.slice(0, SUMMARY_ROW_CAP)
      summary.addTable([
        columns.map(header),
        ...shown.map((d): Cell[] => columns.map(field => FIELDS[field](d)))
      ])
      if (datasets.length > shown.length) {
        summary.addRaw(`<p>… and ${datasets.length - shown.length} more.</p>`, true)
      }
    }
    if (options.footer) summary.addRaw(`<p>${text(options.footer)}</p>`, true)
  })
}

function header(data: string): { data: string; header: true } {
  return { data, header: true }
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
