import * as core from '@actions/core'
import type { RunContext } from '../context.js'
import { setDatasetOutputs } from '../outputs.js'
import { writeDatasetSummary } from '../summary.js'
import { shorten } from '../text.js'

export async function getOperation({ inputs, client }: RunContext): Promise<void> {
  const id = inputs.datasetId as string
  const dataset = await client.getDataset(id)
  setDatasetOutputs(dataset)
  core.info(
    `Dataset ${dataset.id} ${JSON.stringify(dataset.name)} is ${shorten(dataset.status.overview)}.`
  )
  await writeDatasetSummary(`Nexus dataset ${dataset.id}`, dataset)
}
