import type { OperationContext } from './context.js'
import { checkDatasetFile } from './file-check.js'
import { t } from '../shared/outside-text.js'

/**
 * Checks the `path` file exactly as create does, and nothing else: no credentials, no request.
 * Made for pull requests, where a workflow from a fork gets no secrets.
 */
export async function checkOperation(ctx: OperationContext<'check'>): Promise<void> {
  const checked = await checkDatasetFile(ctx)
  ctx.report.output('item-count', String(checked.scan.items))
  ctx.log.info(t`${checked.file.shown} is valid NDJSON: ready to upload with operation create.`)
}
