import type { RunContext } from '../context.js'
import { setDatasetOutputs } from '../outputs.js'
import { shorten, t } from '../outside-text.js'
import { writeDatasetSummary } from '../summary.js'

export async function getOperation({ inputs, client, log }: RunContext): Promise<void> {
  const id = inputs.datasetId as NonNullable<typeof inputs.datasetId>
  const dataset = await client.getDataset(id)
  setDatasetOutputs(dataset)
  log.info(
    t`Dataset ${dataset.id} ${JSON.stringify(dataset.name)} is ${shorten(dataset.status.overview)}.`
  )
  await writeDatasetSummary(t`Nexus dataset ${dataset.id}`, dataset)
}
