import type { RunContext } from '../context.js'
import type { Dataset } from '../nexus-types.js'
import { setDatasetOutputs } from '../outputs.js'
import { writeDatasetSummary } from '../summary.js'
import { waitUntilReady } from '../wait-until-ready.js'

export async function waitOperation(ctx: RunContext): Promise<void> {
  const first = await ctx.client.getDataset(ctx.inputs.datasetId as string)
  let last: Dataset = first
  try {
    await waitUntilReady(ctx, first, dataset => {
      last = dataset
    })
  } finally {
    setDatasetOutputs(last)
    await writeDatasetSummary(`Nexus dataset ${last.id}`, last)
  }
}
