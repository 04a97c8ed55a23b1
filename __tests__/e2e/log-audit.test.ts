import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { creds, expiredTimes, uploads, workspaceWith } from '../support/e2e.js'
import { Emulator, type RecordedRequest } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

/**
 * Runs every operation with debug logging on and checks that the secret key,
 * the signed upload URLs and their signatures appear nowhere (stdout, stderr,
 * outputs, summary, state) except inside the ::add-mask:: commands themselves.
 */
let emu: Emulator
interface AuditedRun {
  label: string
  run: ActionRun
  /** The emulator requests made during this run. */
  requests: RecordedRequest[]
}
const runs: AuditedRun[] = []
const uploadSecrets: string[] = []

/** Each run's label and the exit code it must have. */
const EXPECTED_CODES: Array<[string, number]> = [
  ['create', 0],
  ['create (refused upload)', 1],
  ['get', 0],
  ['wait', 0],
  ['list', 0],
  ['cleanup dry run', 0],
  ['cleanup', 0],
  ['delete', 0],
  ['bad input', 1]
]

beforeAll(async () => {
  emu = await Emulator.start()
  const workspace = workspaceWith({
    'a.ndjson': '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'
  })
  const audited = async (label: string, inputs: Record<string, string>): Promise<ActionRun> => {
    const from = emu.requests.length
    const run = await runAction(
      { ...creds(emu), ...inputs },
      { workspace, env: { RUNNER_DEBUG: '1' } }
    )
    runs.push({ label, run, requests: emu.requests.slice(from) })
    return run
  }
  emu.addDataset({ name: 'expired', ...expiredTimes() })
  const waiting = emu.addDataset({ name: 'waiting', status: 'Waiting' })
  uploadSecrets.push(waiting.status.source.uploadUrl?.url ?? '')

  // Create twice: once clean, once through a refused upload (the error path).
  const created = expectSuccess(
    await audited('create', { operation: 'create', path: 'a.ndjson', 'poll-interval': '0.05' })
  )
  emu.fault({
    server: 'upload',
    respond: {
      status: 403,
      body: '<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>'
    }
  })
  await audited('create (refused upload)', {
    operation: 'create',
    path: 'a.ndjson',
    name: 'refused'
  })
  const id = created.outputs['dataset-id']
  await audited('get', { operation: 'get', 'dataset-id': waiting.id })
  await audited('wait', { operation: 'wait', 'dataset-id': id })
  await audited('list', { operation: 'list', 'show-expired': 'true' })
  await audited('cleanup dry run', { operation: 'cleanup', 'dry-run': 'true' })
  await audited('cleanup', { operation: 'cleanup' })
  await audited('delete', { operation: 'delete', 'dataset-id': id })
  await audited('bad input', { operation: 'list', 'page-size': 'lots' })
  for (const r of uploads(emu)) {
    uploadSecrets.push(r.query['X-Goog-Signature'], r.query['X-Goog-Credential'], r.rawPath + '?')
  }
}, 60_000)

afterAll(async () => {
  await emu.close()
})

describe('log audit (RUNNER_DEBUG=1)', () => {
  test('the runs happened, with the expected exit codes, debug output and uploads', () => {
    expect(runs.map(({ label, run }) => [label, run.code])).toEqual(EXPECTED_CODES)
    expect(runs.some(({ run }) => run.stdout.includes('::debug::'))).toBe(true)
    expect(uploadSecrets.filter(Boolean).length).toBeGreaterThanOrEqual(7)
  })

  test('no secret key, signed URL or signature anywhere but the mask commands', () => {
    const secrets = [emu.secretKey, ...uploadSecrets].filter(s => s && s.length > 8)
    // Each leak named by the first characters of its secret: a failure must not print it whole.
    const leaks: string[] = []
    for (const { label, run } of runs) {
      const stdout = run.stdout
        .split('\n')
        .filter(line => !line.startsWith('::add-mask::'))
        .join('\n')
      const places: Record<string, string> = {
        stdout,
        stderr: run.stderr,
        outputs: JSON.stringify(run.outputs),
        summary: run.summary,
        state: run.state
      }
      for (const [where, text] of Object.entries(places)) {
        for (const secret of secrets) {
          if (text.includes(secret)) leaks.push(`${label}: ${where} (${secret.slice(0, 6)}…)`)
        }
      }
    }
    expect(leaks).toEqual([])
  })

  test('the secret key is masked first, and every signed URL before it is used', () => {
    for (const { run } of runs) {
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${emu.secretKey}`)
    }
    const uploading = runs.filter(({ requests }) => uploads(requests).length > 0)
    expect(uploading.map(({ label }) => label)).toEqual(['create', 'create (refused upload)'])
    for (const { label, run, requests } of uploading) {
      const lines = run.stdout.split('\n')
      for (const upload of uploads(requests)) {
        const signature = upload.query['X-Goog-Signature']
        expect(signature).toMatch(/^[0-9a-f]{64}$/)
        // The first line holding the signature is a mask command: masked before any use.
        const first = lines.find(l => l.includes(signature))
        expect([label, first?.startsWith('::add-mask::')]).toEqual([label, true])
      }
    }
  })
})
