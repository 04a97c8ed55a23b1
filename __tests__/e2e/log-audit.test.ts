import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Emulator } from '../support/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../support/run-action.js'

/**
 * Runs every operation with debug logging on and checks that the secret key,
 * the signed upload URLs and their signatures appear nowhere (stdout, stderr,
 * outputs, summary, state) except inside the ::add-mask:: commands themselves.
 */
let emu: Emulator
const runs: Array<[string, ActionRun]> = []
const uploadSecrets: string[] = []

beforeAll(async () => {
  emu = await Emulator.start()
  const creds = { 'secret-key': emu.secretKey, 'project-id': emu.projectId, 'api-url': emu.apiUrl }
  const env = { RUNNER_DEBUG: '1' }
  const workspace = mkdtempSync(path.join(tmpdir(), 'nexus-audit-'))
  writeFileSync(
    path.join(workspace, 'a.ndjson'),
    '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'
  )
  const now = Date.now()
  emu.addDataset({ name: 'expired', createDate: now - 20 * 86_400_000, expiryTime: now - 1000 })
  const waiting = emu.addDataset({ name: 'waiting', status: 'Waiting' })
  uploadSecrets.push(waiting.status.source.uploadUrl?.url ?? '')

  // Create twice: once clean, once through a refused upload (the error path).
  const created = expectSuccess(
    await runAction(
      { ...creds, operation: 'create', path: 'a.ndjson', 'poll-interval': '0.05' },
      { workspace, env }
    )
  )
  runs.push(['create', created])
  emu.fault({
    server: 'upload',
    respond: {
      status: 403,
      body: '<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>'
    }
  })
  runs.push([
    'create (refused upload)',
    await runAction(
      { ...creds, operation: 'create', path: 'a.ndjson', name: 'refused' },
      { workspace, env }
    )
  ])
  const id = created.outputs['dataset-id']
  runs.push([
    'get',
    await runAction({ ...creds, operation: 'get', 'dataset-id': waiting.id }, { env })
  ])
  runs.push(['wait', await runAction({ ...creds, operation: 'wait', 'dataset-id': id }, { env })])
  runs.push([
    'list',
    await runAction({ ...creds, operation: 'list', 'show-expired': 'true' }, { env })
  ])
  runs.push([
    'cleanup dry run',
    await runAction({ ...creds, operation: 'cleanup', 'dry-run': 'true' }, { env })
  ])
  runs.push(['cleanup', await runAction({ ...creds, operation: 'cleanup' }, { env })])
  runs.push([
    'delete',
    await runAction({ ...creds, operation: 'delete', 'dataset-id': id }, { env })
  ])
  runs.push(['bad input', await runAction({ ...creds, operation: 'list', limit: 'lots' }, { env })])
  for (const r of emu.requests.filter(r => r.server === 'upload')) {
    uploadSecrets.push(r.query['X-Goog-Signature'], r.query['X-Goog-Credential'], r.rawPath + '?')
  }
}, 60_000)

afterAll(async () => {
  await emu.close()
})

describe('log audit (RUNNER_DEBUG=1)', () => {
  test('the runs happened, with debug output and uploads', () => {
    expect(runs).toHaveLength(9)
    expect(runs.some(([, r]) => r.stdout.includes('::debug::'))).toBe(true)
    expect(uploadSecrets.filter(Boolean).length).toBeGreaterThanOrEqual(7)
  })

  test('no secret key, signed URL or signature anywhere but the mask commands', () => {
    const secrets = [emu.secretKey, ...uploadSecrets].filter(s => s && s.length > 8)
    for (const [label, run] of runs) {
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
          if (text.includes(secret))
            throw new Error(`${label}: ${where} contains a secret (${secret.slice(0, 6)}…)`)
        }
      }
    }
  })

  test('the secret key is masked first, and every signed URL before it is used', () => {
    for (const [, run] of runs) {
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${emu.secretKey}`)
    }
    const [, created] = runs[0]
    const masks = created.stdout.split('\n').filter(l => l.startsWith('::add-mask::'))
    expect(masks.length).toBeGreaterThanOrEqual(3)
  })
})
