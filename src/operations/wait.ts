import type { RunContext } from './context.js'
import { waitUntilReady } from './wait-until-ready.js'

export async function waitOperation(ctx: RunContext<'wait'>): Promise<void> {
  const id = ctx.inputs.datasetId
  await waitUntilReady(ctx, await ctx.client.getDataset(id))
}
