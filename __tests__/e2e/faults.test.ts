import { describe, expect, test } from '@jest/globals'
import { creds, useEmulators, workspaceWith } from '../support/e2e.js'
import type { Emulator, FaultRule, RecordedRequest } from '../../emulator/emulator.js'
import { runAction, type ActionRun } from '../../scripts/run-action.js'

/**
 * Every step (list, get, create, upload, wait, delete) crossed with every
 * fault. For each: what the user sees (exit code, failure line) and that
 * nothing is left behind (no orphan dataset, no half-deleted state reported
 * as success).
 */
type Step = 'list' | 'get' | 'create' | 'upload' | 'wait' | 'delete'
type Fault =
  | '429 Retry-After'
  | '5xx burst'
  | 'dropped connection'
  | 'slow response'
  | 'never answers'
  | 'non-JSON 2xx'

const REQUEST_TIMEOUT = '0.5'

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

/** Whether a request is one the target's fault applies to (its skip aside). */
function hits(t: Target, r: RecordedRequest): boolean {
  if (t.server !== undefined && r.server !== t.server) return false
  if (t.method !== undefined && r.method !== t.method) return false
  if (t.path === undefined) return true
  return typeof t.path === 'string' ? r.path === t.path : t.path.test(r.path)
}

function effect(fault: Fault, step: Step): Omit<FaultRule, keyof Target> {
  const json = step !== 'upload'
  switch (fault) {
    case '429 Retry-After':
      return {
        respond: {
          status: 429,
          headers: { 'retry-after': '1' },
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
      return { delayMs: 1500 }
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
const STEPS: Step[] = ['list', 'get', 'create', 'upload', 'wait', 'delete']

/**
 * The steps where a non-JSON 2xx is a clear failure rather than something
 * retried. (A create's garbled answer is retried: the dataset may exist, and
 * the retry first looks for it.)
 */
const FAILS_ON_GARBAGE: Step[] = ['list', 'get', 'upload', 'wait', 'delete']

const start = useEmulators()

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

describe.each(STEPS)('%s', step => {
  test.each(FAULTS)('%s', async fault => {
    const e = await start()
    e.addDataset({ name: 'bystander', status: 'Uploaded' })
    const where = target(step, e)
    e.fault({ ...where, ...effect(fault, step) })
    const { run, seededId } = await runStep(step, e)
    const faulted = e.requests.filter(r => hits(where, r))
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
      expect(run.failure).toMatch(/Check api-url/)
      expect((run.failure ?? '').length).toBeLessThan(500)
    } else {
      if (run.code !== 0)
        throw new Error(`${step} × ${fault}: exit ${run.code}: ${run.failure}\n${run.stdout}`)
      // Was retried: the fault target saw more than the requests it let through plus the faulted one.
      expect(faulted.length).toBeGreaterThan(1 + (where.skip ?? 0))
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
