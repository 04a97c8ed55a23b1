import * as core from '@actions/core'
import { errorMessage } from '../../shared/errors.js'
import { log } from '../log.js'
import { t } from '../../shared/outside-text.js'

/**
 * Builds the step's summary (build.ts) and appends it to the job summary, or does nothing when
 * the step runs outside a runner (GITHUB_STEP_SUMMARY unset). Neither a summary that cannot be
 * built nor one that cannot be written changes the step's outcome: the outputs and the failure
 * line (if any) are written already, and a summary is not worth failing a step for.
 */
export async function writeSummary(build: () => string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  let html: string
  try {
    html = build()
  } catch (error) {
    log.warning(
      t`Could not build the job summary, a bug in nexus-dataset-action (please report it with the step's debug log): ${errorMessage(error)}`
    )
    return
  }
  try {
    await core.summary.addRaw(html).write()
  } catch (error) {
    log.warning(t`Could not write the job summary: ${errorMessage(error)}`)
  }
}
