import type { RunContext } from './context.js'
import { NexusApiError } from '../shared/errors.js'
import { NAME_SHOWN, quote, t } from '../shared/outside-text.js'

export async function deleteOperation({
  inputs,
  client,
  log,
  report
}: RunContext<'delete'>): Promise<void> {
  const id = inputs.datasetId
  // Read it first: a missing dataset fails here with a clear "not found", and
  // the summary can say what was deleted, not just an id.
  let dataset
  try {
    dataset = await client.getDataset(id)
  } catch (error) {
    // Only a 404 for the dataset's own address: any other refusal still fails the step.
    if (
      inputs.ifMissing === 'ignore' &&
      error instanceof NexusApiError &&
      error.advice?.kind === 'datasetNotFound'
    ) {
      report.missing(id)
      log.notice(t`Dataset ${id} is not there: nothing to delete (if-missing: ignore).`)
      return
    }
    throw error
  }
  report.dataset(dataset)
  const { alreadyGone } = await client.deleteDataset(id)
  report.deleted()
  log.info(
    alreadyGone
      ? t`Dataset ${id} ${quote(dataset.name, NAME_SHOWN)} is deleted (by an earlier try whose answer was lost, or by someone else).`
      : t`Deleted dataset ${id} ${quote(dataset.name, NAME_SHOWN)}.`
  )
}
