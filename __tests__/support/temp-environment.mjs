// The environment every test file runs in (jest.config.js): jest's own node environment, with a
// temporary folder of its own. The system's temp variables point into that folder while the file
// runs, so whatever its tests make there (workspaces, the action's runner files, the action's own
// temp files) goes with it when the file ends, whether its tests passed, failed or timed out.
//
// Set here, outside the test's sandbox, because os.tmpdir() reads the worker's real environment,
// which a test's `process.env` (a copy) does not reach; the copy is set too, for the children
// tests start with it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { TestEnvironment } from 'jest-environment-node'

/** What os.tmpdir() reads: TMPDIR on POSIX, TEMP and TMP on Windows. */
const TEMP_VARIABLES = ['TMPDIR', 'TEMP', 'TMP']

export default class TempFolderEnvironment extends TestEnvironment {
  async setup() {
    await super.setup()
    this.saved = Object.fromEntries(TEMP_VARIABLES.map(name => [name, process.env[name]]))
    this.folder = mkdtempSync(path.join(tmpdir(), 'nexus-test-'))
    for (const name of TEMP_VARIABLES) {
      process.env[name] = this.folder
      this.global.process.env[name] = this.folder
    }
  }

  async teardown() {
    for (const [name, value] of Object.entries(this.saved ?? {})) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    // A child the test left behind may still be writing there for a moment.
    if (this.folder) rmSync(this.folder, { recursive: true, force: true, maxRetries: 5 })
    await super.teardown()
  }
}
