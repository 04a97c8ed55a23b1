import type { RunContext } from './context.js'
import { forEachLimited } from '../shared/concurrency.js'
import { isExpired, nameMatcher, warnRejected } from './dataset-selection.js'
import { advice } from '../shared/advice.js'
import { ActionError, whatHappened } from '../shared/errors.js'
import type { Duration } from '../shared/format.js'
import type { Dataset } from '../nexus/types.js'
import { NAME_SHOWN, quote, t, type Inert } from '../shared/outside-text.js'

/** Failures listed in the step's error; the rest are counted. */
const FAILURES_SHOWN = 10

/**
 * Deletes `selected` with bounded concurrency, into `deleted` or `failed` as each ends (not in
 * order): the caller reports them even when a cancel cuts this short.
 */
async function deleteEach(
  ctx: RunContext<'cleanup'>,
  selected: Dataset[],
  deleted: Dataset[],
  failed: Array<{ dataset: Dataset; reason: Inert }>
): Promise<void> {
  const { client, log } = ctx
  if (selected.length === 0) return
  await log.group(t`Deleting ${selected.length} datasets`, () =>
    forEachLimited(selected, ctx.inputs.concurrency, ctx.signal, async dataset => {
      try {
        // Another cleanup job may race us: already gone counts as deleted.
        const { alreadyGone } = await client.deleteDataset(dataset.id)
        deleted.push(dataset)
        log.info(
          t`${alreadyGone ? 'Already deleted:' : 'Deleted'} ${dataset.id} ${quote(dataset.name, NAME_SHOWN)}.`
        )
      } catch (error) {
        if (ctx.signal.aborted) return
        const reason = t`${whatHappened(error)}`
        failed.push({ dataset, reason })
        log.info(t`Could not delete ${dataset.id} ${quote(dataset.name, NAME_SHOWN)}: ${reason}`)
      }
    })
  )
}

/**
 * Deletes expired datasets (and, with older-than, old ones), optionally only
 * those whose name matches name-pattern. Reads every page first, so deleting
 * cannot shift the pages being walked; then deletes with bounded concurrency.
 */
export async function cleanupOperation(ctx: RunContext<'cleanup'>): Promise<void> {
  const { inputs, client, clock, log, report } = ctx
  const { datasets: all, rejected } = await client.listAll()
  warnRejected(log, rejected)
  const skipped = rejected.length > 0 ? ` Skipped as malformed: ${rejected.length}.` : ''
  const now = clock.now()
  const matches = inputs.namePattern ? nameMatcher(inputs.namePattern) : undefined
  const cutoff = inputs.olderThan === undefined ? undefined : now - inputs.olderThan.ms
  const selected = all.filter(
    d =>
      (isExpired(d, now) ||
        (cutoff !== undefined && typeof d.createDate === 'number' && d.createDate < cutoff)) &&
      (!matches || matches(d.name))
  )
  const criteria = describeCriteria(inputs.olderThan, inputs.namePattern)
  log.info(t`${selected.length} of ${all.length} datasets selected for deletion (${criteria}).`)
  const deleted: Dataset[] = []
  const failed: Array<{ dataset: Dataset; reason: Inert }> = []
  report.facts.cleanup = {
    dryRun: inputs.dryRun,
    criteria,
    total: all.length,
    malformed: rejected.length,
    selected,
    deleted,
    failed
  }

  if (inputs.dryRun) {
    report.datasets(selected)
    if (selected.length > 0) {
      await log.group(t`Would delete ${selected.length} datasets`, async () => {
        for (const d of selected) log.info(t`Would delete ${d.id} ${quote(d.name, NAME_SHOWN)}.`)
      })
    }
    log.info(
      t`Dry run: would delete ${selected.length} and keep ${all.length - selected.length} of ${all.length} datasets; nothing was deleted.${skipped}`
    )
    return
  }

  try {
    await deleteEach(ctx, selected, deleted, failed)
  } finally {
    // Also after a cancel: report exactly what is gone so far, in the order selected.
    const order = new Map(selected.map((d, i) => [d.id, i]))
    deleted.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
    report.datasets(deleted)
    const notReached = selected.length - deleted.length - failed.length
    log.info(
      t`${ctx.signal.aborted ? 'Cancelled. ' : ''}Deleted: ${deleted.length}. Failed: ${failed.length}.${notReached > 0 ? ` Not reached: ${notReached}.` : ''} Kept: ${all.length - selected.length} (of ${all.length}).${skipped}`
    )
  }
  if (ctx.signal.aborted) throw ctx.signal.reason
  if (failed.length > 0) {
    const shown = failed
      .slice(0, FAILURES_SHOWN)
      // Each reason is a sentence; inside this list its full stop would double the one after it.
      .map(f => t`${f.dataset.id}: ${f.reason.replace(/\.$/, '')}`)
      .join('; ')
    const more =
      failed.length > FAILURES_SHOWN ? `; and ${failed.length - FAILURES_SHOWN} more` : ''
    throw new ActionError(
      t`Cleanup could not delete ${failed.length} of ${selected.length} datasets (${deleted.length} deleted): ${shown}${more}.`,
      advice('cleanupFailed')
    )
  }
}

function describeCriteria(
  olderThan: Duration | undefined,
  namePattern: string | undefined
): string {
  const parts = ['expired']
  if (olderThan !== undefined) parts.push(`or created more than ${olderThan.text} ago`)
  if (namePattern) parts.push(`with a name matching ${namePattern}`)
  return parts.join(' ')
}
