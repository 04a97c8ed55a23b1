import type { RunContext } from './context.js'
import { isExpired, nameMatcher, warnRejected } from './dataset-selection.js'
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
  const hidden: string[] = []
  if (!inputs.showExpired) {
    datasets = datasets.filter(d => !isExpired(d, now))
    if (expired > 0) hidden.push(`${expired} expired (show-expired: true shows them)`)
  }
  let unmatched = 0
  if (inputs.namePattern) {
    const matches = nameMatcher(inputs.namePattern)
    const before = datasets.length
    datasets = datasets.filter(d => matches(d.name))
    unmatched = before - datasets.length
    if (unmatched > 0) hidden.push(`${unmatched} not matching name-pattern ${inputs.namePattern}`)
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
  const hiddenNote = hidden.length > 0 ? `; hidden: ${hidden.join(', ')}` : ''
  log.info(t`${datasets.length} of ${total} datasets ${scope} listed${hiddenNote}.`)
}
