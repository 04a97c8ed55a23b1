import { setMaxListeners } from 'node:events'
import { fail, log } from './action-log.js'
import { systemClock } from './clock.js'
import type { RunContext } from './context.js'
import { ActionError, CancelledError } from './errors.js'
import { readInputs, unusedInputs, type Operation } from './inputs.js'
import { NexusClient } from './nexus-client.js'
import { cleanupOperation } from './operations/cleanup.js'
import { createOperation } from './operations/create.js'
import { deleteOperation } from './operations/delete.js'
import { getOperation } from './operations/get.js'
import { listOperation } from './operations/list.js'
import { waitOperation } from './operations/wait.js'
import { t } from './outside-text.js'
import { API_RETRY_POLICY, type RetryPolicy } from './retry.js'

const OPERATIONS: Record<Operation, (ctx: RunContext) => Promise<void>> = {
  create: createOperation,
  get: getOperation,
  list: listOperation,
  delete: deleteOperation,
  wait: waitOperation,
  cleanup: cleanupOperation
}

/** After a cancel signal the runner kills the process within seconds; finish first. */
const CANCEL_GRACE_MS = 4500

/** Runs the action once: inputs, the operation, outputs; failures through setFailed. */
export async function run(): Promise<void> {
  const controller = new AbortController()
  // Every request and wait listens on it: a cleanup with concurrency 32 is not a leak.
  setMaxListeners(256, controller.signal)
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    log.warning(t`Received ${signal}: cancelling, cleaning up what this run started.`)
    controller.abort(
      new CancelledError(t`The run was cancelled (${signal}) before the operation finished.`)
    )
    // Whatever happens, be gone before the runner's hard kill.
    setTimeout(() => {
      fail(t`The run was cancelled (${signal}); clean-up did not finish in time.`)
      process.exit(1)
    }, CANCEL_GRACE_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let client: NexusClient | undefined
  try {
    const inputs = readInputs()
    for (const name of unusedInputs(inputs.operation)) {
      log.warning(t`Input "${name}" is not used by operation ${inputs.operation}; it is ignored.`)
    }
    const clock = systemClock
    const random = Math.random
    client = new NexusClient({
      apiUrl: inputs.apiUrl,
      secretKey: inputs.secretKey,
      projectId: inputs.projectId,
      requestTimeoutMs: inputs.requestTimeoutMs,
      retry: retryPolicyFromEnv(),
      clock,
      random,
      signal: controller.signal,
      log
    })
    await OPERATIONS[inputs.operation]({
      inputs,
      client,
      log,
      clock,
      random,
      signal: controller.signal
    })
  } catch (error) {
    // After a cancel, a low-level abort error says less than "the run was cancelled".
    report(
      controller.signal.aborted && !(error instanceof ActionError)
        ? controller.signal.reason
        : error
    )
  } finally {
    client?.dispose()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/**
 * NEXUS_ACTION_RETRY_BASE_MS shrinks the backoff for the project's own
 * end-to-end tests, which inject outages and should not sleep for real.
 */
function retryPolicyFromEnv(): RetryPolicy {
  const text = process.env.NEXUS_ACTION_RETRY_BASE_MS ?? ''
  const base = Number(text)
  if (text === '' || !(base >= 0)) return API_RETRY_POLICY
  return { ...API_RETRY_POLICY, baseDelayMs: base, maxDelayMs: base * 16 }
}

/** One failure line a person can act on; the stack only in the debug log. */
export function report(error: unknown): void {
  if (error instanceof ActionError) {
    fail(error.message)
    log.debug(t`${error.stack ?? String(error)}`)
    return
  }
  const message = error instanceof Error ? error.message : String(error)
  fail(
    t`Unexpected error: ${message}. This is a bug in nexus-dataset-action; please report it with the step's debug log.`
  )
  log.debug(t`${error instanceof Error ? (error.stack ?? message) : message}`)
}
