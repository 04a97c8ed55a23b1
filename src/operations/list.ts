import type { RunContext } from './context.js'
import { hiddenFromListing, isExpired, nameMatcher, warnRejected } from './dataset-selection.js'
import type { Dataset } from '../nexus/types.js'
import { t } from '../shared/outside-text.js'

export async function listOperation({
  inputs,
  client,
  clock,
  log,
  report
}: RunContext): Promise<void> {
  let datasets: Dataset[]
  let cursors = { nextPage: null as string | null, prevPage: null as string | null }
  if (inputs.page) {
    const page = await client.listPage(inputs.limit, inputs.page)
    datasets = page.data
    cursors = { nextPage: page.nextPage, prevPage: page.prevPage }
    warnRejected(log, page.rejected)
  } else {
    const listing = await client.listAll(inputs.limit)
    datasets = listing.datasets
    warnRejected(log, listing.rejected)
  }
  const total = datasets.length
  const now = clock.now()
  const expired = datasets.filter(d => isExpired(d, now)).length
  if (!inputs.showExpired) {
    datasets = datasets.filter(d => !isExpired(d, now))
  }
  let unmatched = 0
  if (inputs.namePattern) {
    const matches = nameMatcher(inputs.namePattern)
    const before = datasets.length
    datasets = datasets.filter(d => matches(d.name))
    unmatched = before - datasets.length
  }
  report.datasets(datasets, cursors)
  report.facts.listing = {
    datasets,
    total,
    onePage: inputs.page !== undefined,
    expired,
    expiredHidden: !inputs.showExpired,
    unmatched,
    namePattern: inputs.namePattern,
    morePages: Boolean(cursors.nextPage)
  }
  const scope = inputs.page ? 'on this page' : 'in the project'
  const hidden = hiddenFromListing(report.facts.listing)
  const hiddenNote = hidden ? `; hidden: ${hidden}` : ''
  log.info(t`${datasets.length} of ${total} datasets ${scope} listed${hiddenNote}.`)
}
