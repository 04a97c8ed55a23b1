import type { PageCursors, RunContext } from './context.js'
import { hiddenFromListing, isExpired, nameMatcher, warnRejected } from './dataset-selection.js'
import type { Dataset, RejectedEntry } from '../nexus/types.js'
import { t } from '../shared/outside-text.js'

/**
 * Lists the datasets as the SDK pages them: from the cursor `page` (or the first page), the ones
 * the filters keep, until `max-datasets` of them or the end. Each request asks for no more than
 * are still wanted, so the cursor after the last page read is exactly where the list stopped:
 * passing it back as `page` lists the next ones, none twice and none skipped.
 */
export async function listOperation({
  inputs,
  client,
  clock,
  log,
  report
}: RunContext<'list'>): Promise<void> {
  const now = clock.now()
  const matches = inputs.namePattern ? nameMatcher(inputs.namePattern) : undefined
  const max = inputs.maxDatasets ?? Infinity
  const datasets: Dataset[] = []
  const rejected: RejectedEntry[] = []
  const cursors: PageCursors = { nextPage: null, prevPage: null }
  let total = 0
  let expired = 0
  let unmatched = 0
  let first = true
  const limit = (): number => Math.min(inputs.pageSize, max - datasets.length)
  for await (const page of client.listPages({ start: inputs.page, limit })) {
    if (first) cursors.prevPage = page.prevPage
    first = false
    cursors.nextPage = page.nextPage
    rejected.push(...page.rejected)
    for (const dataset of page.data) {
      total++
      const isOld = isExpired(dataset, now)
      if (isOld) expired++
      if (isOld && !inputs.showExpired) continue
      if (matches && !matches(dataset.name)) unmatched++
      else datasets.push(dataset)
    }
    if (datasets.length >= max) break
  }
  warnRejected(log, rejected)
  // A server that answers with more than asked for: the list still stops at max-datasets.
  const listed = datasets.slice(0, max)
  report.datasets(listed, cursors)
  const partial = inputs.page !== undefined || cursors.nextPage !== null
  report.facts.listing = {
    datasets: listed,
    total,
    partial,
    expired,
    expiredHidden: !inputs.showExpired,
    unmatched,
    namePattern: inputs.namePattern,
    morePages: cursors.nextPage !== null
  }
  const scope = partial ? 'in the part of the listing read' : 'in the project'
  const hidden = hiddenFromListing(report.facts.listing)
  const hiddenNote = hidden ? `; hidden: ${hidden}` : ''
  log.info(t`${listed.length} of ${total} datasets ${scope} listed${hiddenNote}.`)
}
