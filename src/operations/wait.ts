import type { RunContext } from './context.js'
import { isSettled, type Dataset } from '../nexus/types.js'
import { waitUntilReady } from './wait-until-ready.js'

export async function waitOperation(ctx: RunContext): Promise<void> {
  const id = ctx.inputs.datasetId as NonNullable<typeof ctx.inputs.datasetId>
  const first = await ctx.client.getDataset(id)
  const started = ctx.clock.now()
  let last: Dataset = first
  try {
    await waitUntilReady(ctx, first, dataset => {
      last = dataset
    })
  } finally {
    // Also after a timeout or a failed status: the outputs and summary show the last read.
    ctx.report.dataset(last)
    // A dataset ready (or failed) at the first read was not waited for.
    if (!isSettled(first)) ctx.report.facts.durations.wait = ctx.clock.now() - started
  }
}
