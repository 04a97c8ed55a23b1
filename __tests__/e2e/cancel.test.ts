import { describe, expect, test } from '@jest/globals'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import {
  HOLD_OPEN,
  SLOW_READS,
  apiCalls,
  cancelWhen,
  creds,
  expiredTimes,
  preloading,
  uploads,
  useEmulators,
  workspaceWith,
  type Delivery
} from '../support/e2e.js'
import type { Emulator, EmulatorOptions } from '../../emulator/emulator.js'
import { posixTest } from '../support/platform.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

const start = useEmulators()
const ONE_ITEM = { 'a.ndjson': '{"url": "https://x/1.jpg"}\n' }

/**
 * The failure line of a cancel whose clean-up finished. Past src/main.ts's 4.5 s grace the action
 * exits anyway with "The run was cancelled (SIGINT); clean-up did not finish in time. …", which
 * this does not match: so each test below shows the clean-up finished without timing anything.
 */
function cancelledInTime(signal: NodeJS.Signals): RegExp {
  return new RegExp(`^The run was cancelled \\(${signal}\\) before the operation finished\\.$`)
}

/**
 * Each cancel test runs twice: with the real signal (the Linux and macOS runners send SIGINT, then
 * SIGTERM; a Windows child cannot be sent one) and with the signal emitted inside the action's
 * process, which runs the same handler on every OS (the Windows runner's Ctrl-C and Ctrl-Break
 * arrive in Node as SIGINT and SIGBREAK).
 */
function cancelTest(
  name: string,
  signal: NodeJS.Signals,
  fn: (delivery: Delivery) => Promise<void>
): void {
  // eslint-disable-next-line jest/expect-expect -- fn, which each caller writes, asserts
  posixTest(`${name}, by a real ${signal}`, 'child.kill sends signals', () => fn('signal'))
  // eslint-disable-next-line jest/expect-expect -- as above
  test(`${name}, by ${signal} emitted in the process`, () => fn('emitted'))
}

/**
 * Runs the action on `inputs` and cancels it once `ready()` holds (cancelWhen); with how long after
 * the signal it exited.
 */
async function runCancelled(
  inputs: Record<string, string>,
  how: {
    workspace?: string
    ready: () => boolean
    signal: NodeJS.Signals
    delivery: Delivery
    also?: Parameters<typeof cancelWhen>[3]
  }
): Promise<{ run: ActionRun; afterSignalMs: number }> {
  let signalledAt = 0
  const run = await runAction(inputs, {
    ...(how.workspace === undefined ? {} : { workspace: how.workspace }),
    ...cancelWhen(
      () => {
        const ready = how.ready()
        if (ready && !signalledAt) signalledAt = Date.now()
        return ready
      },
      how.signal,
      how.delivery,
      how.also
    )
  })
  return { run, afterSignalMs: Date.now() - signalledAt }
}

describe('cancellation', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const) {
    const body = async (delivery: Delivery): Promise<void> => {
      const e = await start()
      e.fault({ server: 'upload', hang: true })
      const { run, afterSignalMs } = await runCancelled(
        { operation: 'create', path: 'a.ndjson', name: 'cancelled', ...creds(e) },
        {
          workspace: workspaceWith(ONE_ITEM),
          ready: () => uploads(e).length > 0,
          signal,
          delivery
        }
      )
      expectCancelled(run, e, signal, afterSignalMs)
      const id = run.outputs['dataset-id']
      expect(id).toMatch(/^dataset_/)
      expect(e.dataset(id)).toBeUndefined()
      expect(e.datasets()).toHaveLength(0)
      expect(run.outputs.deleted).toBe('true')
      expect(run.summary.split('\n')).toContain(
        '<p><b>Left behind:</b> nothing (the dataset was deleted, as its file never arrived).</p>'
      )
      expect(run.summary).toContain(id)
    }
    const name = `${signal} during the upload deletes the dataset, writes outputs and summary, exits non-zero in time`
    // SIGBREAK is Windows' Ctrl-Break: no other OS can send it, so it is only ever emitted.
    if (signal === 'SIGBREAK')
      // eslint-disable-next-line jest/expect-expect -- the assertions are in body, above
      test(`${name}, by ${signal} emitted in the process`, () => body('emitted'))
    else cancelTest(name, signal, body)
  }

  cancelTest(
    'SIGINT during wait leaves the uploaded dataset and reports its status',
    'SIGINT',
    async delivery => {
      const e = await start({ finalStatus: 'Processing' })
      const seeded = e.addDataset({ name: 'w', status: 'Processing' })
      const run = await runAction(
        {
          operation: 'wait',
          'dataset-id': seeded.id,
          'poll-interval': '0.1',
          ...creds(e)
        },
        cancelWhen(() => e.requests.length >= 2, 'SIGINT', delivery)
      )
      expect(run.code).toBe(1)
      expect(run.failure).toMatch(cancelledInTime('SIGINT'))
      expect(run.outputs.status).toBe('Processing')
      expect(e.dataset(seeded.id)).toBeDefined()
    }
  )

  cancelTest(
    'a cleanup interrupted half-way reports what it deleted so far',
    'SIGTERM',
    async delivery => {
      const e = await start()
      // The signal goes once 6 deletes are answered; the rest (2 at a time, 100 ms each) take
      // 3.7 s, so a signal a busy machine delivers late still lands half-way.
      const TOTAL = 80
      for (let i = 0; i < TOTAL; i++) {
        e.addDataset({ name: `old-${i}`, ...expiredTimes() })
      }
      e.fault({ server: 'api', method: 'DELETE', delayMs: 100, times: Infinity })
      const run = await runAction(
        {
          operation: 'cleanup',
          concurrency: '2',
          ...creds(e)
        },
        cancelWhen(
          () => apiCalls(e, 'DELETE').filter(r => r.answered === 200).length >= 6,
          'SIGTERM',
          delivery
        )
      )
      expect(run.code).toBe(1)
      expect(run.failure).toMatch(cancelledInTime('SIGTERM'))
      const gone = TOTAL - e.datasets().length
      expect(gone).toBeGreaterThanOrEqual(6)
      expect(gone).toBeLessThan(TOTAL)
      // Every dataset reported deleted is gone; a DELETE cut short may have landed unreported.
      const reported = JSON.parse(run.outputs.datasets) as Array<{ id: string }>
      expect(Number(run.outputs.count)).toBe(reported.length)
      for (const d of reported) expect(e.dataset(d.id)).toBeUndefined()
      expect(reported.length).toBeGreaterThanOrEqual(gone - 2)
      expect(run.summary).toMatch(
        new RegExp(
          `^<h3>❌ Cancelled: cleanup deleted \\d+ of ${TOTAL} selected datasets</h3>$`,
          'm'
        )
      )
    }
  )
})

/**
 * What every cancelled run shows, whatever it was doing: exit code 1, exactly one error line (the
 * run's own, not the backstop's: that one is cleared once run() ends, so this shows the step ended
 * first), a summary that says so, no dataset left Waiting, and an exit long before the runner's
 * SIGTERM (7.5 s after the signal): the bound is loose on purpose, the line is the proof.
 */
function expectCancelled(
  run: ActionRun,
  e: Emulator,
  signal: NodeJS.Signals,
  afterMs: number
): void {
  expect(run.code).toBe(1)
  const errors = run.commands.filter(c => c.command === 'error')
  expect(errors.map(c => c.message)).toEqual([run.failure])
  expect(run.failure).toMatch(cancelledInTime(signal))
  expect(run.summary.split('\n')[0]).toBe('<h3>❌ Cancelled: create did not finish</h3>')
  expect(e.datasets().filter(d => d.status.overview === 'Waiting')).toEqual([])
  expect(afterMs).toBeLessThan(7500)
}

/** A file of `mib` MiB of one-item lines. */
function itemsOf(mib: number): Buffer {
  const line = Buffer.from('{"url": "https://x/1.jpg"}\n')
  return Buffer.alloc(Math.floor((mib * 1048576) / line.length) * line.length, line)
}

interface Phase {
  name: string
  emulator?: EmulatorOptions
  /** Faults and files before the run; returns what else the run needs. */
  setUp(e: Emulator): { file?: Buffer; preloads?: string[]; env?: Record<string, string> }
  /** When to cancel: the run is in this phase. */
  ready(e: Emulator): boolean
  /** What the phase leaves beyond expectCancelled's checks. */
  then(run: ActionRun, e: Emulator): void
}

/** A folder for a marker file that a preload creates, removed with the rest of the temp folder. */
const markerIn = (): string =>
  path.join(mkdtempSync(path.join(tmpdir(), 'nexus-marker-')), 'marker')

const PHASES: Phase[] = [
  (() => {
    let reading = ''
    return {
      name: 'during the file check',
      setUp: () => {
        reading = markerIn()
        // 4 reads of 1 MiB, each held back 0.5 s: the check lasts 2 s, the cancel comes in it.
        return {
          file: itemsOf(4),
          preloads: [SLOW_READS],
          env: { NEXUS_TEST_READ_DELAY_MS: '500', NEXUS_TEST_READING_FILE: reading }
        }
      },
      ready: () => existsSync(reading),
      then: (run, e) => {
        expect(run.stdout).not.toMatch(/^Checked /m)
        expect(e.requests).toEqual([])
        expect(run.summary).toContain(
          '<p><b>Left behind:</b> nothing (no dataset was created).</p>'
        )
      }
    }
  })(),
  {
    name: 'before the create answer: the dataset it made is deleted',
    // The dataset is made at once, its answer comes 1 s later: inside the 2.5 s a create already
    // sent gets after a cancel, so the action learns its id and deletes it.
    setUp: e => (e.fault({ server: 'api', method: 'POST', answerDelayMs: 1000 }), {}),
    ready: e => e.datasets().length > 0,
    then: (run, e) => {
      expect(e.datasets()).toEqual([])
      expect(uploads(e)).toEqual([])
      expect(run.outputs.deleted).toBe('true')
    }
  },
  {
    name: 'right after the create answer, before the upload',
    // The storage sits on the upload for a minute, so nothing is uploaded before the cancel.
    setUp: e => (e.fault({ server: 'upload', delayMs: 60_000 }), {}),
    ready: e => apiCalls(e, 'POST').some(r => r.answered === 201),
    then: (run, e) => {
      expect(e.datasets()).toEqual([])
      expect(uploads(e).every(r => r.answered === 0)).toBe(true)
      // The rule takes the end of the arrow function on the line above for the end of this
      // callback, and this expect() for one outside a test.
      // eslint-disable-next-line jest/no-standalone-expect
      expect(run.outputs.deleted).toBe('true')
    }
  },
  {
    name: "during the upload, the storage's answer dripping",
    setUp: e => (
      e.fault({ server: 'upload', respond: { status: 200, body: '<?xml', dripMs: 50 } }),
      {}
    ),
    ready: e => uploads(e).length > 0,
    then: (run, e) => {
      expect(e.datasets()).toEqual([])
      expect(run.outputs.deleted).toBe('true')
    }
  },
  {
    name: 'during the wait',
    emulator: { processingMs: 600_000 },
    setUp: () => ({}),
    ready: e =>
      uploads(e).some(r => r.answered === 200) &&
      apiCalls(e, 'GET').some(r => r.time > (uploads(e)[0]?.time ?? Infinity)),
    then: (run, e) => {
      // Uploaded and kept: it becomes ready on its own.
      const [kept] = e.datasets()
      expect(kept.status.overview).toBe('Processing')
      expect(run.outputs['dataset-id']).toBe(kept.id)
      expect(run.outputs.deleted).toBeUndefined()
    }
  }
]

describe('a cancel in any phase of create ends the step at once, with one failure line', () => {
  for (const phase of PHASES) {
    cancelTest(phase.name, 'SIGINT', async delivery => {
      const e = await start(phase.emulator)
      const { file = Buffer.from(ONE_ITEM['a.ndjson']), preloads, env } = phase.setUp(e)
      const { run, afterSignalMs } = await runCancelled(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'phase',
          'poll-interval': '0.05',
          ...creds(e)
        },
        {
          workspace: workspaceWith({ 'a.ndjson': file }),
          ready: () => phase.ready(e),
          signal: 'SIGINT',
          delivery,
          also: { preloads, env }
        }
      )
      expectCancelled(run, e, 'SIGINT', afterSignalMs)
      phase.then(run, e)
    })
  }
})

describe('the step ends when run() does', () => {
  test('whatever still holds the event loop: a create exits 0 at once', async () => {
    const e = await start()
    const run = expectSuccess(
      await runAction(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'held',
          'poll-interval': '0.05',
          ...creds(e)
        },
        { workspace: workspaceWith(ONE_ITEM), env: preloading(HOLD_OPEN) }
      )
    )
    // Without the exit, the 10-minute timer would hold it past runAction's 20 s kill (code null).
    expect(run.signal).toBeNull()
    expect(run.outputs.status).toBe('Uploaded')
  })

  cancelTest('and after a cancel, with one failure line', 'SIGINT', async delivery => {
    const e = await start()
    e.fault({ server: 'upload', hang: true })
    const { run, afterSignalMs } = await runCancelled(
      { operation: 'create', path: 'a.ndjson', name: 'held', ...creds(e) },
      {
        workspace: workspaceWith(ONE_ITEM),
        ready: () => uploads(e).length > 0,
        signal: 'SIGINT',
        delivery,
        also: { preloads: [HOLD_OPEN] }
      }
    )
    expectCancelled(run, e, 'SIGINT', afterSignalMs)
    expect(run.outputs.deleted).toBe('true')
  })

  cancelTest(
    'a clean-up that overruns the grace: the backstop says what may be left, once',
    'SIGINT',
    async delivery => {
      const e = await start()
      e.fault({ server: 'upload', hang: true })
      // The delete of the abandoned dataset never answers: the clean-up would take its full 3 s,
      // against a backstop shortened to 0.5 s.
      e.fault({ server: 'api', method: 'DELETE', hang: true })
      const run = await runAction(
        { operation: 'create', path: 'a.ndjson', name: 'overrun', ...creds(e) },
        {
          workspace: workspaceWith(ONE_ITEM),
          ...cancelWhen(() => uploads(e).length > 0, 'SIGINT', delivery, {
            env: { NEXUS_ACTION_CANCEL_GRACE_MS: '500' }
          })
        }
      )
      expect(run.code).toBe(1)
      const [left] = e.datasets()
      expect(left.status.overview).toBe('Waiting')
      expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toEqual([
        `The run was cancelled (SIGINT); clean-up did not finish in time. Dataset ${left.id} may be left Waiting: delete it with operation: delete, dataset-id: ${left.id}.`
      ])
      const summary = run.summary.split('\n')
      expect(summary[0]).toBe('<h3>❌ Cancelled: create did not finish</h3>')
      expect(run.summary).toContain('clean-up did not finish in time')
      expect(run.outputs['dataset-id']).toBe(left.id)
      expect(run.outputs.deleted).toBeUndefined()
    }
  )
})
