import * as core from '@actions/core'
import { log } from '../log.js'
import { t } from '../../shared/outside-text.js'

/**
 * Appends a built summary (build.ts) to the job summary, or does nothing when the step runs
 * outside a runner (GITHUB_STEP_SUMMARY unset): a missing summary file is not worth failing for.
 */
export async function writeSummary(html: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(html).write()
  } catch (error) {
    log.warning(t`Could not write the job summary: ${(error as Error).message}`)
  }
}
