import { describe, expect, test } from '@jest/globals'
import {
  apiCalls,
  cancelWhen,
  creds,
  expiredTimes,
  uploads,
  useEmulators,
  workspaceWith,
  type Delivery
} from '../support/e2e.js'
import { posixTest } from '../support/platform.js'
import { runAction } from '../../scripts/run-action.js'

const start = useEmulators()
const ONE_ITEM = { 'a.ndjson': '{"url": "https://x/1.jpg"}\n' }

/**
 * The failure line of a cancel whose clean-up finished. Past src/main.ts's 4.5 s grace the action
 * exits anyway with "The run was cancelled (SIGINT); clean-up did not finish in time.", which this
 * does not match: so each test below shows the clean-up finished without timing anything.
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
  posixTest(`${name}, by a real ${signal}`, 'child.kill sends signals', () => fn('signal'))
  test(`${name}, by ${signal} emitted in the process`, () => fn('emitted'))
}

describe('cancellation', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const) {
    const body = async (delivery: Delivery): Promise<void> => {
      const e = await start()
      e.fault({ server: 'upload', hang: true })
      let signalledAt = 0
      const run = await runAction(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'cancelled',
          ...creds(e)
        },
        {
          workspace: workspaceWith(ONE_ITEM),
          ...cancelWhen(
            () => {
              const ready = uploads(e).length > 0
              if (ready && !signalledAt) signalledAt = Date.now()
              return ready
            },
            signal,
            delivery
          )
        }
      )
      const afterSignal = Date.now() - signalledAt
      expect(run.code).toBe(1)
      expect(run.failure).toMatch(cancelledInTime(signal))
      // A backstop only, twice the 4.5 s hard-exit grace: the line above already shows the
      // clean-up finished before it.
      expect(afterSignal).toBeLessThan(9000)
      const id = run.outputs['dataset-id']
      expect(id).toMatch(/^dataset_/)
      expect(e.dataset(id)).toBeUndefined()
      expect(e.datasets()).toHaveLength(0)
      expect(run.outputs.deleted).toBe('true')
      const summary = run.summary.split('\n')
      expect(summary[0]).toBe('<h3>❌ Cancelled: create did not finish</h3>')
      expect(summary).toContain(
        '<p><b>Left behind:</b> nothing (the dataset was deleted, as its file never arrived).</p>'
      )
      expect(run.summary).toContain(id)
    }
    const name = `${signal} during the upload deletes the dataset, writes outputs and summary, exits non-zero in time`
    // SIGBREAK is Windows' Ctrl-Break: no other OS can send it, so it is only ever emitted.
    if (signal === 'SIGBREAK')
      test(`${name}, by ${signal} emitted in the process`, () => body('emitted'))
    else cancelTest(name, signal, body)
  }

  cancelTest(
    'SIGINT while the create request is under way deletes the dataset it made',
    'SIGINT',
    async delivery => {
      const e = await start()
      // The dataset is made at once; its answer comes 1 s later, well inside (half of) the 2.5 s
      // the action gives an in-flight POST after a cancel, so a busy machine cannot push it past.
      e.fault({ server: 'api', method: 'POST', answerDelayMs: 1000 })
      const run = await runAction(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'mid-post',
          ...creds(e)
        },
        {
          workspace: workspaceWith(ONE_ITEM),
          ...cancelWhen(() => e.datasets().length > 0, 'SIGINT', delivery)
        }
      )
      expect(run.code).toBe(1)
      expect(run.failure).toMatch(cancelledInTime('SIGINT'))
      expect(e.datasets()).toHaveLength(0)
      expect(uploads(e)).toHaveLength(0)
      expect(run.outputs.deleted).toBe('true')
    }
  )

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
