/**
 * The summary's section on the items' URLs (create, check): how many are repeated, not http(s),
 * signed to expire too soon, and unreachable in the sample, each with its first lines.
 */
import type { ItemUrlFacts } from '../../operations/context.js'
import { URL_TABLE_BYTES } from '../../ndjson/url-checks.js'
import { formatBytes, timeSpan } from '../../shared/format.js'
import { cell, code, fieldTable, num, text, type Cell } from './html.js'

/** Lines named per row: the annotations and the log have the first ten. */
const LINES_SHOWN = 3

export function itemUrlBlocks(urls: ItemUrlFacts | undefined, now: number): string[] {
  if (!urls) return []
  const { duplicates, nonWeb, expiring, sample } = urls
  const remembered =
    urls.remembered === undefined
      ? ''
      : ` (among the first ${num(urls.remembered)} items only: ${formatBytes(URL_TABLE_BYTES)} holds no more)`
  const rows: Array<[string, Cell]> = [
    [
      'Repeated',
      cell(
        found(
          duplicates.count,
          duplicates.first.map(d => `${d.line} (as ${d.earlier})`)
        ) + remembered
      )
    ],
    [
      'Not http(s)',
      cell(
        found(
          nonWeb.count,
          nonWeb.first.map(n => `${n.line} (${text(n.why)})`)
        )
      )
    ],
    [
      `Expiring within ${text(urls.minLifetime)}`,
      cell(
        found(
          expiring.count,
          expiring.first.map(e => {
            const span = timeSpan(e.expiresAt, now)
            return `${e.line} (${text(e.scheme)}, ${e.expiresAt > now ? `in ${span}` : `expired ${span} ago`})`
          })
        )
      )
    ],
    [
      'Sampled',
      cell(
        sample
          ? `${num(sample.sampled)} requested, ${found(
              sample.unreachable,
              sample.firstUnreachable.map(u => `${u.line} (${text(u.reason)})`),
              ' unreachable'
            )}`
          : `none (${code('url-sample: 0')})`
      )
    ]
  ]
  return ['<h4>Item URLs</h4>', fieldTable(rows)]
}

/** `3: line 812 (as 17), 900 (as 18), …`; `0`; `2 unreachable: line 4 (…), 9 (…)`. */
function found(count: number, lines: string[], noun = ''): string {
  const shown = lines.slice(0, LINES_SHOWN)
  const more = count > shown.length ? ', …' : ''
  const named = shown.length > 0 ? `: line ${shown.join(', ')}${more}` : ''
  return `${num(count)}${noun}${named}`
}
