import type { RunContext } from './context.js'
import { globToRegExp, isExpired, warnRejected } from './dataset-selection.js'
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
  const hidden: string[] = []
  if (!inputs.showExpired) {
    const before = datasets.length
    datasets = datasets.filter(d => !isExpired(d, now))
    if (before > datasets.length)
      hidden.push(`${before - datasets.length} expired (show-expired: true shows them)`)
  }
  if (inputs.namePattern) {
    const pattern = globToRegExp(inputs.namePattern)
    const before = datasets.length
    datasets = datasets.filter(d => pattern.test(d.name))
    if (before > datasets.length)
      hidden.push(`${before - datasets.length} not matching name-pattern ${inputs.namePattern}`)
  }
  report.datasets(datasets, cursors)
  const scope = inputs.page ? 'on this page' : 'in the project'
  const hiddenNote = hidden.length > 0 ? `; hidden: ${hidden.join(', ')}` : ''
  log.info(t`${datasets.length} of ${total} datasets ${scope} listed${hiddenNote}.`)
  await report.tableSummary(t`Nexus datasets in ${client.projectId}`, datasets, {
    note: t`${datasets.length} of ${total} datasets ${scope}${hiddenNote}.`,
    footer: cursors.nextPage ? t`More datasets on the next page (output next-page).` : undefined
  })
}
