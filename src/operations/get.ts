import type { RunContext } from './context.js'
import { shorten, t } from '../shared/outside-text.js'

export async function getOperation({ inputs, client, log, report }: RunContext): Promise<void> {
  const id = inputs.datasetId as NonNullable<typeof inputs.datasetId>
  const dataset = await client.getDataset(id)
  report.dataset(dataset)
  log.info(
    t`Dataset ${dataset.id} ${JSON.stringify(dataset.name)} is ${shorten(dataset.status.overview)}.`
  )
  await report.datasetSummary(t`Nexus dataset ${dataset.id}`, dataset)
}
