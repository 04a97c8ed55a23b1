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
      // The requests the fault is about, by the emulator's own matching (its skip aside).
      const faulted = e.requests.filter(r => matches(where, r.server, r.method, r.path))
      const expectFailure = fault === 'non-JSON 2xx' && FAILS_ON_GARBAGE.includes(step)

      // What the user sees.
      if (expectFailure && step === 'upload') {
        expect(run.code).toBe(1)
        expect(run.failure).toMatch(
          /The upload host answered HTTP 200 with an HTML page titled "Welcome to the proxy", not a storage answer/
        )
        expect(run.outputs.deleted).toBe('true')
      } else if (expectFailure) {
        expect(run.code).toBe(1)
        expect(run.failure).toMatch(/is not JSON: an HTML page titled "Welcome to the proxy"/)
        expect(run.failure).toMatch(/Check that `api-url` points at the Nexus API/)
        expect((run.failure ?? '').length).toBeLessThan(500)
      } else {
        if (run.code !== 0)
          throw new Error(`${step} × ${fault}: exit ${run.code}: ${run.failure}\n${run.stdout}`)
        // Was retried: the fault target saw more than the requests it let through plus the faulted one.
        const skipped = where.skip ?? 0
        expect(faulted.length).toBeGreaterThan(1 + skipped)
        if (fault === '429 Retry-After') {
          // The retry waited out Retry-After rather than the tests' 20 ms backoff. A lower bound
          // (a little under the 1 s, for timer rounding), which a busy machine only makes easier.
          const waited = faulted[skipped + 1].time - faulted[skipped].time
          expect(waited).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50)
        }
      }
      expect(run.stdout + run.stderr).not.toMatch(/TypeError|\n\s+at /)
      expect(run.stdout.length).toBeLessThan(50_000)

      // Nothing left behind.
      const others = e.datasets().filter(d => d.name !== 'bystander')
      if (step === 'upload' && expectFailure) {
        expect(others).toHaveLength(0)
      } else if (step === 'create' || step === 'upload') {
        expect(others).toHaveLength(1)
        expect(others[0].status.overview).toBe('Uploaded')
        expect(run.outputs['dataset-id']).toBe(others[0].id)
      } else if (step === 'delete') {
        if (expectFailure) {
          expect(e.dataset(seededId as string)).toBeDefined()
          expect(run.outputs.deleted).toBeUndefined()
        } else {
          expect(e.dataset(seededId as string)).toBeUndefined()
          expect(run.outputs.deleted).toBe('true')
        }
      } else if (step === 'wait' && !expectFailure) {
        expect(run.outputs.status).toBe('Uploaded')
      }
      expect(e.datasets().some(d => d.name === 'bystander')).toBe(true)
    })
  })
}
