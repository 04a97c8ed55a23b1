import * as core from '@actions/core'
import type { Dataset } from './nexus-types.js'
import { isoTime } from './outputs.js'

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

/** One dataset as a two-column table, plus extra rows the operation adds. */
export async function writeDatasetSummary(
  heading: string,
  dataset: Dataset | undefined,
  extra: Row[] = [],
  note?: string
): Promise<void> {
  const rows: Row[] = dataset
    ? [
        ['Dataset', code(dataset.id)],
        ['Name', escapeHtml(dataset.name)],
        ['Status', escapeHtml(dataset.status.overview)],
        ['Items', dataset.status.itemCount === undefined ? '–' : String(dataset.status.itemCount)],
        ['Created', isoTime(dataset.createDate) || '–'],
        ['Expires', isoTime(dataset.expiryTime) || '–']
      ]
    : []
  await write(summary => {
    summary.addHeading(escapeHtml(heading), 3)
    if (note) summary.addRaw(`<p>${escapeHtml(note)}</p>`, true)
    const all = [...rows, ...extra]
    if (all.length > 0) {
      summary.addTable([
        [header('Field'), header('Value')],
        ...all.map(([field, value]): Cell[] => [field, value])
      ])
    }
  })
}

/** Datasets as a table, capped at SUMMARY_ROW_CAP rows. */
export async function writeDatasetTable(
  heading: string,
  datasets: Dataset[],
  options: { note?: string; footer?: string; column?: 'status' | 'expired' } = {}
): Promise<void> {
  const column = options.column ?? 'status'
  await write(summary => {
    summary.addHeading(escapeHtml(heading), 3)
    if (options.note) summary.addRaw(`<p>${escapeHtml(options.note)}</p>`, true)
    if (datasets.length === 0) {
      summary.addRaw('<p>No datasets.</p>', true)
    } else {
      const shown = datasets.slice(0, SUMMARY_ROW_CAP)
      summary.addTable([
        column === 'status'
          ? ['Dataset', 'Name', 'Status', 'Items', 'Created', 'Expires'].map(header)
          : ['Dataset', 'Name', 'Created', 'Expired'].map(header),
        ...shown.map((d): Cell[] =>
          column === 'status'
            ? [
                code(d.id),
                escapeHtml(d.name),
                escapeHtml(d.status.overview),
                d.status.itemCount === undefined ? '–' : String(d.status.itemCount),
                isoTime(d.createDate) || '–',
                isoTime(d.expiryTime) || '–'
              ]
            : [
                code(d.id),
                escapeHtml(d.name),
                isoTime(d.createDate) || '–',
                isoTime(d.expiryTime) || '–'
              ]
        )
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
