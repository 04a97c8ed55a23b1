import { setMaxListeners } from 'node:events'
import { defaultDatasetName } from './action/dataset-name.js'
import { readInputs, unusedInputs } from './action/inputs.js'
import { drained, fail, log } from './action/log.js'
import { createReport } from './action/report.js'
import { buildSummary } from './action/summary/build.js'
import { failureLine } from './action/summary/explain.js'
import { writeSummary } from './action/summary/write.js'
import { API_RETRY_POLICY, type RetryPolicy } from './net/retry.js'
import { NexusClient } from './nexus/client.js'
import type {
  Operation,
  OperationContext,
  Report,
  RunContext,
  StepFacts
} from './operations/context.js'
import { systemClock } from './shared/clock.js'
import { ActionError, CancelledError } from './shared/errors.js'
import { NAME_SHOWN, quote, t, type Inert } from './shared/outside-text.js'

/**
 * An operation's code is evaluated only when it runs: a `get` does not load the checker, the
 * CRC-32C module, the upload or Octokit. `webpackMode: "eager"` keeps every module in the one
 * bundle file (split into chunks, ncc's licence list covers only one of them) and still defers
 * evaluating it to its import().
 */
const checkOperation = async () =>
  (await import(/* webpackMode: "eager" */ './operations/check.js')).checkOperation

/** The operations that talk to Nexus: they get a client, and nothing else does. */
const API_OPERATIONS: Record<
  Exclude<Operation, 'check'>,
  () => Promise<(ctx: RunContext) => Promise<void>>
> = {
  create: async () =>
    (await import(/* webpackMode: "eager" */ './operations/create.js')).createOperation,
  get: async () => (await import(/* webpackMode: "eager" */ './operations/get.js')).getOperation,
  list: async () => (await import(/* webpackMode: "eager" */ './operations/list.js')).listOperation,
  delete: async () =>
    (await import(/* webpackMode: "eager" */ './operations/delete.js')).deleteOperation,
  wait: async () => (await import(/* webpackMode: "eager" */ './operations/wait.js')).waitOperation,
  cleanup: async () =>
    (await import(/* webpackMode: "eager" */ './operations/cleanup.js')).cleanupOperation
}

/**
 * How the runner cancels a step: on Linux and macOS SIGINT, 7.5 s later SIGTERM, 2.5 s later a
 * kill; on Windows Ctrl-C (SIGINT in Node), then Ctrl-Break (SIGBREAK), then a kill. Each of
 * them starts the same clean-up; SIGBREAK is an ordinary event name elsewhere, never sent.
 */
const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const

/**
 * After the first of them the runner kills the process within seconds: a clean-up still running
 * this long after the signal is given up, and the step ends without it.
 */
const CANCEL_GRACE_MS = 4500

/** Runs the action once: inputs, the operation, outputs; failures through setFailed. */
export async function run(): Promise<void> {
  const controller = new AbortController()
  // Every request and wait listens on it: a cleanup with concurrency 32 is not a leak.
  setMaxListeners(256, controller.signal)
  const started = systemClock.now()
  const report = createReport()
  let operation: Operation | undefined
  let projectId: string | undefined
  let client: NexusClient | undefined
  // The step ends once, with at most one failure line and one summary: at the end of run(), or
  // from the backstop below, whichever comes first.
  let ending: Promise<void> | undefined
  const end = (failed?: { error: unknown }): Promise<void> =>
    (ending ??= (async () => {
      if (failed) reportFailure(failed.error)
      await summarize(operation, projectId, report, failed, started)
    })())
  let backstop: NodeJS.Timeout | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    log.warning(t`Received ${signal}: cancelling, cleaning up what this run started.`)
    controller.abort(
      new CancelledError(t`The run was cancelled (${signal}) before the operation finished.`)
    )
    // Whatever happens, be gone before the runner's hard kill; run() clears this once it ends.
    backstop = setTimeout(() => {
      const gaveUp = new CancelledError(
        t`The run was cancelled (${signal}); clean-up did not finish in time.${mayBeLeft(operation, report.facts)}`
      )
      void end({ error: gaveUp })
        .then(drained)
        .finally(() => process.exit())
    }, cancelGraceFromEnv()).unref()
  }
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal)

  let failed: { error: unknown } | undefined
  try {
    const inputs = readInputs()
    operation = inputs.operation
    projectId = inputs.api?.projectId
    for (const name of unusedInputs(inputs.operation)) {
      log.warning(t`Input "${name}" is not used by operation ${inputs.operation}; it is ignored.`)
    }
    const context: OperationContext = {
      inputs,
      log,
      report,
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      clock: systemClock,
      random: Math.random,
      signal: controller.signal
    }
    const { api } = inputs
    if (operation === 'check') {
      // The one operation that needs no credentials and no client.
      await (
        await checkOperation()
      )(context)
    } else {
      // readInputs reads the API settings for every operation that talks to Nexus.
      if (api === undefined) throw new Error(`no API settings for operation ${operation}`)
      if (operation === 'create') inputs.name ??= await defaultDatasetName()
      const run = await API_OPERATIONS[operation]()
      client = new NexusClient({
        ...api,
        requestTimeoutMs: inputs.requestTimeoutMs,
        retry: retryPolicyFromEnv(),
        clock: context.clock,
        random: context.random,
        signal: controller.signal,
        log
      })
      await run({ ...context, client })
    }
  } catch (error) {
    // After a cancel, a low-level abort error says less than "the run was cancelled".
    failed = {
      error:
        controller.signal.aborted && !(error instanceof ActionError)
          ? controller.signal.reason
          : error
    }
  } finally {
    client?.dispose()
  }
  await end(failed)
  // Until here a signal still finds its handler: the default one would end the process before
  // its failure line or summary is written.
  clearTimeout(backstop)
  for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal)
}

/**
 * What a cancelled create may leave in Nexus when its clean-up was given up, for the failure line:
 * the dataset it made, not yet uploaded or deleted; or, when its create request got no answer,
 * one nobody knows the id of. Nothing for the other operations: they leave nothing half-made.
 */
export function mayBeLeft(operation: Operation | undefined, facts: StepFacts): Inert | '' {
  if (operation !== 'create') return ''
  const { dataset } = facts
  if (dataset === undefined) {
    return facts.unansweredCreate
      ? t` A create request was under way: a dataset named ${quote(facts.unansweredCreate.name, NAME_SHOWN)} may exist; find it with operation: list.`
      : ''
  }
  if (facts.reused || facts.deleted || facts.upload) return ''
  return t` Dataset ${dataset.id} may be left Waiting: delete it with operation: delete, dataset-id: ${dataset.id}.`
}

/** The job summary: the outcome first, then (for a failure) what next, then the details. */
async function summarize(
  operation: Operation | undefined,
  projectId: string | undefined,
  report: Report,
  failed: { error: unknown } | undefined,
  started: number
): Promise<void> {
  const now = systemClock.now()
  await writeSummary(() =>
    buildSummary({
      operation,
      projectId,
      facts: report.facts,
      ...(failed ? { error: failed.error } : {}),
      now,
      elapsedMs: now - started
    })
  )
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

/**
 * NEXUS_ACTION_CANCEL_GRACE_MS shortens the backstop for the project's own end-to-end tests, which
 * show what it says when a clean-up overruns without waiting 4.5 s for it.
 */
function cancelGraceFromEnv(): number {
  const text = process.env.NEXUS_ACTION_CANCEL_GRACE_MS ?? ''
  const ms = Number(text)
  return text === '' || !(ms >= 0 && ms <= CANCEL_GRACE_MS) ? CANCEL_GRACE_MS : ms
}

/** One failure line a person can act on; the stack only in the debug log. */
export function reportFailure(error: unknown): void {
  fail(failureLine(error))
  const message = error instanceof Error ? error.message : String(error)
  log.debug(t`${error instanceof Error ? (error.stack ?? message) : message}`)
}
