import type { RunContext } from './context.js'
import { waitUntilReady } from './wait-until-ready.js'

export async function waitOperation(ctx: RunContext): Promise<void> {
  const id = ctx.inputs.datasetId as NonNullable<typeof ctx.inputs.datasetId>
  await waitUntilReady(ctx, await ctx.client.getDataset(id))
}
