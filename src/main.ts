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
  ActionInputs,
  ApiOperation,
  InputsOf,
  Operation,
  Report,
  RunContext,
  StepFacts
} from './operations/context.js'
import { systemClock } from './shared/clock.js'
import { ActionError, CancelledError, errorMessage } from './shared/errors.js'
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
const API_OPERATIONS: {
  [O in ApiOperation]: () => Promise<(ctx: RunContext<O>) => Promise<void>>
} = {
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

/** What the step knows as it goes: the failure line and the summary read it. */
interface Step {
  started: number
  report: Report
  operation?: Operation
  projectId?: string
}

/** Runs the action once: inputs, the operation, outputs; failures through setFailed. */
export async function run(): Promise<void> {
  const controller = new AbortController()
  // Every request and wait listens on it: a cleanup with concurrency 32 is not a leak.
  setMaxListeners(256, controller.signal)
  const step: Step = { started: systemClock.now(), report: createReport() }
  // The step ends once, with at most one failure line and one summary: at the end of run(), or
  // from the cancel backstop, whichever comes first.
  let ending: Promise<void> | undefined
  const end = (failed?: { error: unknown }): Promise<void> =>
    (ending ??= (async () => {
      if (failed) reportFailure(failed.error)
      await summarize(step, failed)
    })())
  const stopWatching = watchForCancel(controller, step, end)
  let failed: { error: unknown } | undefined
  try {
    await runOperation(step, controller.signal)
  } catch (error) {
    // After a cancel, a low-level abort error says less than "the run was cancelled".
    failed = {
      error:
        controller.signal.aborted && !(error instanceof ActionError)
          ? controller.signal.reason
          : error
    }
  }
  await end(failed)
  // Until here a signal still finds its handler: the default one would end the process before
  // its failure line or summary is written.
  stopWatching()
}

/**
 * On the runner's cancel signals: aborts the run (its clean-up starts), and arms the backstop
 * that ends the step before the runner's hard kill. Returns what stops listening.
 */
function watchForCancel(
  controller: AbortController,
  step: Step,
  end: (failed: { error: unknown }) => Promise<void>
): () => void {
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
        t`The run was cancelled (${signal}); clean-up did not finish in time.${mayBeLeft(step.operation, step.report.facts)}`
      )
      void end({ error: gaveUp })
        .then(drained)
        .finally(() => process.exit())
    }, cancelGraceFromEnv()).unref()
  }
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal)
  return () => {
    clearTimeout(backstop)
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal)
  }
}

/** Reads the inputs and runs the operation they name; the API operations get a client. */
async function runOperation(step: Step, signal: AbortSignal): Promise<void> {
  const read = readInputs()
  const { operation } = read
  step.operation = operation
  for (const name of unusedInputs(operation)) {
    log.warning(t`Input "${name}" is not used by operation ${operation}; it is ignored.`)
  }
  const means = {
    log,
    report: step.report,
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    clock: systemClock,
    random: Math.random,
    signal
  }
  if (read.operation === 'check') {
    // The one operation that needs no credentials and no client.
    return (await checkOperation())({ ...means, inputs: read })
  }
  const inputs: Exclude<ActionInputs, { operation: 'check' }> =
    read.operation === 'create'
      ? { ...read, name: read.name ?? (await defaultDatasetName()) }
      : read
  step.projectId = read.api.projectId
  await runApiOperation(inputs, means)
}

/** One operation that talks to Nexus, with a client made for it and disposed after it. */
async function runApiOperation<O extends ApiOperation>(
  inputs: InputsOf<O>,
  means: Omit<RunContext<O>, 'inputs' | 'client'>
): Promise<void> {
  const operationRun = await API_OPERATIONS[inputs.operation]()
  const client = new NexusClient({
    ...inputs.api,
    requestTimeoutMs: inputs.requestTimeoutMs,
    retry: retryPolicyFromEnv(),
    clock: means.clock,
    random: means.random,
    signal: means.signal,
    log
  })
  try {
    await operationRun({ ...means, inputs, client })
  } finally {
    client.dispose()
  }
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
async function summarize(step: Step, failed: { error: unknown } | undefined): Promise<void> {
  const now = systemClock.now()
  await writeSummary(() =>
    buildSummary({
      operation: step.operation,
      projectId: step.projectId,
      facts: step.report.facts,
      ...(failed ? { error: failed.error } : {}),
      now,
      elapsedMs: now - step.started
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
  const message = errorMessage(error)
  log.debug(t`${error instanceof Error ? (error.stack ?? message) : message}`)
}
