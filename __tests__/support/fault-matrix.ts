import { describe, expect, test } from '@jest/globals'
import { creds, useEmulators, workspaceWith } from './e2e.js'
import type { Emulator, FaultRule } from '../../emulator/emulator.js'
import { matches } from '../../emulator/faults.js'
import { runAction, type ActionRun } from '../../scripts/run-action.js'

/**
 * The fault matrix: every step (list, get, create, upload, wait, delete) crossed with every
 * fault. For each: what the user sees (exit code, failure line) and that nothing is left
 * behind (no orphan dataset, no half-deleted state reported as success).
 *
 * Run by __tests__/e2e/faults-reads.test.ts and faults-writes.test.ts, half the steps each:
 * jest runs test files side by side, so the two halves take half the time of one file.
 */
export type Step = 'list' | 'get' | 'create' | 'upload' | 'wait' | 'delete'
type Fault =
  | '429 Retry-After'
  | '5xx burst'
  | 'dropped connection'
  | 'slow response'
  | 'never answers'
  | 'non-JSON 2xx'

/** The action's request-timeout here: an API request unanswered this long is abandoned. */
const REQUEST_TIMEOUT = '0.5'
/**
 * How long the slow fault holds a request before handling it. The longest the action waits on one
 * attempt here is an upload's: 0.5 s for `100 Continue`, then 1 s (the upload's floor for
 * request-timeout) for the answer. 5 s is over 3 times that, so a busy machine that fires the
 * action's timers late still sees the attempt time out, and it costs nothing: the attempt is
 * abandoned and retried long before, and closing the emulator ends the wait.
 */
const SLOW_MS = 5000
/** The Retry-After the 429 fault sends, in seconds; each step's retry must wait it out. */
const RETRY_AFTER_S = 1

type Target = Pick<FaultRule, 'server' | 'method' | 'path' | 'skip'>

/** Where each step's fault goes. */
function target(step: Step, e: Emulator): Target {
  const datasets = `/projects/${e.projectId}/batch/datasets`
  switch (step) {
    case 'list':
      return { server: 'api', method: 'GET', path: datasets }
    case 'get':
      return { server: 'api', method: 'GET', path: /\/datasets\/dataset_/ }
    case 'create':
      return { server: 'api', method: 'POST', path: datasets }
    case 'upload':
      return { server: 'upload', method: 'PUT' }
    case 'wait':
      return { server: 'api', method: 'GET', path: /\/datasets\/dataset_/, skip: 1 }
    case 'delete':
      return { server: 'api', method: 'DELETE' }
  }
}

function effect(fault: Fault, step: Step): Omit<FaultRule, keyof Target> {
  const json = step !== 'upload'
  switch (fault) {
    case '429 Retry-After':
      return {
        respond: {
          status: 429,
          headers: { 'retry-after': String(RETRY_AFTER_S) },
          body: json
            ? '{"message":"Too Many Requests"}'
            : '<Error><Code>SlowDown</Code><Message>slow down</Message></Error>'
        }
      }
    case '5xx burst':
      return {
        times: 3,
        respond: {
          status: 503,
          body: json
            ? '{"message":"Service Unavailable"}'
            : '<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>'
        }
      }
    case 'dropped connection':
      return { drop: step === 'upload' ? 'mid-body' : 'before' }
    case 'slow response':
      return { delayMs: SLOW_MS }
    case 'never answers':
      return { hang: true }
    case 'non-JSON 2xx':
      return {
        respond: {
          status: 200,
          headers: { 'content-type': 'text/html' },
          body:
            '<html><head><title>Welcome to the proxy</title></head><body>' +
            'x'.repeat(100_000) +
            '</body></html>'
        }
      }
  }
}

const FAULTS: Fault[] = [
  '429 Retry-After',
  '5xx burst',
  'dropped connection',
  'slow response',
  'never answers',
  'non-JSON 2xx'
]

/**
 * The steps where a non-JSON 2xx is a clear failure rather than something
 * retried. (A create's garbled answer is retried: the dataset may exist, and
 * the retry first looks for it.)
 */
const FAILS_ON_GARBAGE: Step[] = ['list', 'get', 'upload', 'wait', 'delete']

async function runStep(step: Step, e: Emulator): Promise<{ run: ActionRun; seededId?: string }> {
  const inputs = { ...creds(e), 'request-timeout': REQUEST_TIMEOUT }
  if (step === 'create' || step === 'upload') {
    const workspace = workspaceWith({
      'a.ndjson': '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'.repeat(2000)
    })
    return {
      run: await runAction(
        {
          ...inputs,
          operation: 'create',
          path: 'a.ndjson',
          name: 'faulty',
          'poll-interval': '0.05'
        },
        { workspace }
      )
    }
  }
  if (step === 'list') return { run: await runAction({ ...inputs, operation: 'list' }) }
  const seeded = e.addDataset({ name: 'seeded', status: 'Uploaded', itemCount: 3 })
  let timer: NodeJS.Timeout | undefined
  if (step === 'wait') {
    // Ready only once the faulted re-read has been tried, so the fault is met.
    e.setStatus(seeded.id, 'Processing')
    timer = setInterval(() => {
      if (e.requests.filter(r => r.method === 'GET').length >= 2) {
        clearInterval(timer)
        e.setStatus(seeded.id, 'Uploaded', 3)
      }
    }, 5)
  }
  const operation = step === 'wait' ? 'wait' : step === 'delete' ? 'delete' : 'get'
  try {
    return {
      run: await runAction({
        ...inputs,
        operation,
        'dataset-id': seeded.id,
        'poll-interval': '0.05'
      }),
      seededId: seeded.id
    }
  } finally {
    clearInterval(timer)
  }
}

/** What one case showed and left behind, in the terms `expected` writes its expectation in. */
function outcome(run: ActionRun, e: Emulator, where: Target, seededId?: string) {
  // The requests the fault is about, by the emulator's own matching, less those it let through.
  const faulted = e.requests
    .filter(r => matches(where, r.server, r.method, r.path))
    .slice(where.skip ?? 0)
  const retryPauseMs = faulted.length > 1 ? faulted[1].time - faulted[0].time : undefined
  return {
    code: run.code,
    failure: run.failure,
    outputs: { deleted: run.outputs.deleted, status: run.outputs.status },
    /** The datasets the run made: each one's status, and whether the dataset-id output names it. */
    made: e
      .datasets()
      .filter(d => d.name !== 'bystander' && d.id !== seededId)
      .map(d => ({ status: d.status.overview, named: d.id === run.outputs['dataset-id'] })),
    seeded: seededId === undefined ? 'none' : e.dataset(seededId) ? 'kept' : 'deleted',
    bystander: e.datasets().some(d => d.name === 'bystander') ? 'kept' : 'deleted',
    /** The faulted request was tried again. */
    retried: faulted.length > 1,
    retryPauseMs,
    // After a 429, the retry waited out Retry-After rather than the tests' 20 ms backoff. A lower
    // bound (a little under the 1 s, for timer rounding), which a busy machine only makes easier.
    waitedOutRetryAfter: retryPauseMs !== undefined && retryPauseMs >= RETRY_AFTER_S * 1000 - 50
  }
}

/**
 * What a run with `fault` at `step` must show and leave behind, for toMatchObject on its
 * `outcome`. What the user sees: a garbled answer where the action cannot retry fails the step
 * with a line that names the page; every other fault is retried until the step succeeds. Nothing
 * left behind: no orphan dataset, no half-deleted state reported as success.
 */
function expected(step: Step, fault: Fault): Record<string, unknown> {
  const fails = fault === 'non-JSON 2xx' && FAILS_ON_GARBAGE.includes(step)
  const creates = step === 'create' || step === 'upload'
  return {
    code: fails ? 1 : 0,
    // On a success, no failure line: the diff then shows the one a failed run wrote.
    failure: fails
      ? expect.stringMatching(
          step === 'upload'
            ? /The upload host answered HTTP 200 with an HTML page titled "Welcome to the proxy", not a storage answer/
            : /is not JSON: an HTML page titled "Welcome to the proxy".*Check that `api-url` points at the Nexus API/
        )
      : undefined,
    ...(fails ? {} : { retried: true }),
    ...(fault === '429 Retry-After' ? { waitedOutRetryAfter: true } : {}),
    outputs: {
      deleted: (step === 'upload' && fails) || (step === 'delete' && !fails) ? 'true' : undefined,
      ...(step === 'wait' && !fails ? { status: 'Uploaded' } : {})
    },
    made: creates && !fails ? [{ status: 'Uploaded', named: true }] : [],
    seeded: creates || step === 'list' ? 'none' : step === 'delete' && !fails ? 'deleted' : 'kept',
    bystander: 'kept'
  }
}

/** Defines the matrix's tests for `steps`: call once at the top of a test file. */
export function faultMatrix(steps: Step[]): void {
  const start = useEmulators()
  describe.each(steps)('%s', step => {
    test.each(FAULTS)('%s', async fault => {
      const e = await start()
      e.addDataset({ name: 'bystander', status: 'Uploaded' })
      const where = target(step, e)
      e.fault({ ...where, ...effect(fault, step) })
      const { run, seededId } = await runStep(step, e)
      expect(outcome(run, e, where, seededId)).toMatchObject(expected(step, fault))
      expect((run.failure ?? '').length).toBeLessThan(500)
      expect(run.stdout + run.stderr).not.toMatch(/TypeError|\n\s+at /)
      expect(run.stdout.length).toBeLessThan(50_000)
    })
  })
}
