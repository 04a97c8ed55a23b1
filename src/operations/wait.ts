import type { RunContext } from './context.js'
import type { Dataset } from '../nexus/types.js'
import { t } from '../shared/outside-text.js'
import { waitUntilReady } from './wait-until-ready.js'

export async function waitOperation(ctx: RunContext): Promise<void> {
  const id = ctx.inputs.datasetId as NonNullable<typeof ctx.inputs.datasetId>
  const first = await ctx.client.getDataset(id)
  let last: Dataset = first
  try {
    await waitUntilReady(ctx, first, dataset => {
      last = dataset
    })
  } finally {
    ctx.report.dataset(last)
    await ctx.report.datasetSummary(t`Nexus dataset ${last.id}`, last)
  }
}
