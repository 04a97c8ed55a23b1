/**
 * Tests that need what some operating systems lack: each is skipped where it cannot run, and its
 * name says so on every platform, so a report reads the same everywhere and no skip is silent.
 */
import { test } from '@jest/globals'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

export const IS_WINDOWS = process.platform === 'win32'

/** Whether this process may create symbolic links (Windows asks for a privilege). */
export const CAN_SYMLINK = ((): boolean => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nexus-symlink-probe-'))
  try {
    writeFileSync(path.join(dir, 'target'), '')
    symlinkSync(path.join(dir, 'target'), path.join(dir, 'link'))
    return true
  } catch {
    return false
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})()

type TestFn = Parameters<typeof test>[1]

/** A test of a POSIX facility (named pipes, sockets and devices in the file system, signals). */
export function posixTest(name: string, facility: string, fn: TestFn, timeout?: number): void {
  ;(IS_WINDOWS ? test.skip : test)(`${name} [POSIX only: ${facility}]`, fn, timeout)
}

/** A test that creates symbolic links. */
export function symlinkTest(name: string, fn: TestFn, timeout?: number): void {
  ;(CAN_SYMLINK ? test : test.skip)(`${name} [needs symbolic links]`, fn, timeout)
}
