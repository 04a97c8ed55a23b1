import type { RunContext } from './context.js'
import { NAME_SHOWN, STATUS_SHOWN, quote, shorten, t } from '../shared/outside-text.js'

export async function getOperation({
  inputs,
  client,
  log,
  report
}: RunContext<'get'>): Promise<void> {
  const id = inputs.datasetId
  const dataset = await client.getDataset(id)
  report.dataset(dataset)
  log.info(
    t`Dataset ${dataset.id} ${quote(dataset.name, NAME_SHOWN)} is ${shorten(dataset.status.overview, STATUS_SHOWN)}.`
  )
}
