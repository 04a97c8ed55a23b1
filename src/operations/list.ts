import * as core from '@actions/core'
import type { RunContext } from '../context.js'
import { globToRegExp, isExpired } from '../dataset-filter.js'
import type { Dataset } from '../nexus-types.js'
import { setListOutputs } from '../outputs.js'
import { writeDatasetTable } from '../summary.js'

export async function listOperation({ inputs, client, clock }: RunContext): Promise<void> {
  let datasets: Dataset[]
  let cursors = { nextPage: null as string | null, prevPage: null as string | null }
  if (inputs.page) {
    const page = await client.listPage(inputs.limit, inputs.page)
    datasets = page.data
    cursors = { nextPage: page.nextPage, prevPage: page.prevPage }
  } else {
    datasets = await client.listAll(inputs.limit)
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
  setListOutputs(datasets, cursors)
  const scope = inputs.page ? 'on this page' : 'in the project'
  const hiddenNote = hidden.length > 0 ? `; hidden: ${hidden.join(', ')}` : ''
  core.info(`${datasets.length} of ${total} datasets ${scope} listed${hiddenNote}.`)
  await writeDatasetTable(`Nexus datasets in ${client.projectId}`, datasets, {
    note: `${datasets.length} of ${total} datasets ${scope}${hiddenNote}.`,
    footer: cursors.nextPage ? 'More datasets on the next page (output next-page).' : undefined
  })
}
