import * as core from '@actions/core'
import type { Dataset } from './nexus-types.js'
import { isoTime } from './format.js'

/** Rows past this go into an "and N more" line: a summary is not a data dump. */
export const SUMMARY_ROW_CAP = 50

type Cell = string | { data: string; header: true }
export type Row = [string, string]

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
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}

/** How each dataset field reads in a summary; all text is escaped, the id set as code. */
const FIELDS = {
  Dataset: (d: Dataset) => code(d.id),
  Name: (d: Dataset) => escapeHtml(d.name),
  Status: (d: Dataset) => escapeHtml(d.status.overview),
  Items: (d: Dataset) => (d.status.itemCount === undefined ? '–' : String(d.status.itemCount)),
  Created: (d: Dataset) => isoTime(d.createDate) || '–',
  Expires: (d: Dataset) => isoTime(d.expiryTime) || '–',
  Expired: (d: Dataset) => isoTime(d.expiryTime) || '–'
}
type Field = keyof typeof FIELDS
const LIST_COLUMNS: Field[] = ['Dataset', 'Name', 'Status', 'Items', 'Created', 'Expires']
const CLEANUP_COLUMNS: Field[] = ['Dataset', 'Name', 'Created', 'Expired']

/** One dataset as a two-column table, plus plain-text rows the operation adds. */
export async function writeDatasetSummary(
  heading: string,
  dataset: Dataset,
  extra: Row[] = []
): Promise<void> {
  await write(summary => {
    summary.addHeading(escapeHtml(heading), 3)
    summary.addTable([
      [header('Field'), header('Value')],
      ...LIST_COLUMNS.map((field): Cell[] => [field, FIELDS[field](dataset)]),
      ...extra.map(([field, value]): Cell[] => [escapeHtml(field), escapeHtml(value)])
    ])
  })
}

/** Datasets as a table, capped at SUMMARY_ROW_CAP rows. */
export async function writeDatasetTable(
  heading: string,
  datasets: Dataset[],
  options: { note?: string; footer?: string; forCleanup?: boolean } = {}
): Promise<void> {
  const columns = options.forCleanup ? CLEANUP_COLUMNS : LIST_COLUMNS
  await write(summary => {
    summary.addHeading(escapeHtml(heading), 3)
    if (options.note) summary.addRaw(`<p>${escapeHtml(options.note)}</p>`, true)
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
    if (options.footer) summary.addRaw(`<p>${escapeHtml(options.footer)}</p>`, true)
  })
}

function header(data: string): { data: string; header: true } {
  return { data, header: true }
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`
}

/** Names and messages come from the API: shown as text, never as markup. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
