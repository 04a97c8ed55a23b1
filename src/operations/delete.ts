import * as core from '@actions/core'
import type { RunContext } from '../context.js'
import { setDatasetOutputs } from '../outputs.js'
import { writeDatasetSummary } from '../summary.js'

export async function deleteOperation({ inputs, client }: RunContext): Promise<void> {
  const id = inputs.datasetId as string
  // Read it first: a missing dataset fails here with a clear "not found", and
  // the summary can say what was deleted, not just an id.
  const dataset = await client.getDataset(id)
  setDatasetOutputs(dataset)
  const { alreadyGone } = await client.deleteDataset(id)
  core.setOutput('deleted', 'true')
  core.info(
    alreadyGone
      ? `Dataset ${id} ${JSON.stringify(dataset.name)} is deleted (by an earlier try whose answer was lost, or by someone else).`
      : `Deleted dataset ${id} ${JSON.stringify(dataset.name)}.`
  )
  await writeDatasetSummary(`Deleted Nexus dataset ${id}`, dataset)
}
