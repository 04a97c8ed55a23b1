/** Pieces shared by the end-to-end tests in __tests__/e2e. */
import { afterEach } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Emulator, type EmulatorOptions } from '../../emulator/emulator.js'

/** A well-formed dataset id that no emulator knows unless a test seeds it. */
export const SOME_DATASET_ID = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60'

/** The inputs that point the action at an emulator. */
export const creds = (e: Emulator) => ({
  'secret-key': e.secretKey,
  'project-id': e.projectId,
  'api-url': e.apiUrl
})

/** Call at the top of a test file: starts emulators on demand and closes them after each test. */
export function useEmulators(): (options?: EmulatorOptions) => Promise<Emulator> {
  const started: Emulator[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(e => e.close()))
  })
  return async (options = {}) => {
    const e = await Emulator.start(options)
    started.push(e)
    return e
  }
}

/** A fresh directory holding `files` (paths relative to it; folders are made as needed). */
export function workspaceWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nexus-ws-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), content)
  }
  return dir
}

/** For RunOptions.onSpawn: sends `signal` to the child once `ready()` holds (polled). */
export function signalWhen(
  ready: () => boolean,
  signal: NodeJS.Signals
): (child: ChildProcess) => void {
  return child => {
    const timer = setInterval(() => {
      if (ready()) {
        clearInterval(timer)
        child.kill(signal)
      }
    }, 10)
    child.on('exit', () => clearInterval(timer))
  }
}
