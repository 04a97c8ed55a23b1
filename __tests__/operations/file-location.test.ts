/**
 * Where the `path` input leads (src/operations/file-location.ts): inside the workspace is decided
 * on real paths, so a workspace reached by another name (GITHUB_WORKSPACE a link, or its real path
 * given) holds the same files, and a link of the repository leads out by neither name.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { locateFile } from '../../src/operations/file-location.js'
import { scanFile } from '../../src/ndjson/file-scan.js'
import { FileCheckError } from '../../src/shared/errors.js'
import { CAN_SYMLINK, symlinkTest } from '../support/platform.js'

const ITEM = '{"url": "https://x/1.jpg"}\n'

/** base/real-ws (the workspace), base/ws-link -> real-ws, base/outside holding other.ndjson. */
let base = ''
let realWs = ''
let wsLink = ''
let outsideFile = ''

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'nexus-location-')))
  realWs = path.join(base, 'real-ws')
  wsLink = path.join(base, 'ws-link')
  outsideFile = path.join(base, 'outside', 'other.ndjson')
  mkdirSync(path.join(realWs, 'data'), { recursive: true })
  mkdirSync(path.dirname(outsideFile))
  writeFileSync(outsideFile, ITEM)
  writeFileSync(path.join(realWs, 'data', 'items.ndjson'), ITEM)
  if (!CAN_SYMLINK) return
  symlinkSync(realWs, wsLink, 'dir')
  // What a pull request can commit: a file, and a folder, that are links out of the repository.
  symlinkSync(outsideFile, path.join(realWs, 'data', 'link.ndjson'))
  symlinkSync(path.dirname(outsideFile), path.join(realWs, 'data-out'), 'dir')
  symlinkSync(path.join(realWs, 'data', 'items.ndjson'), path.join(realWs, 'data', 'alias.ndjson'))
})

afterAll(() => {
  rmSync(base, { recursive: true, force: true })
})

/** The FileCheckError locateFile rejects with; fails the test if it resolves. */
async function refusal(workspace: string, given: string): Promise<FileCheckError> {
  const error: unknown = await locateFile(workspace, given).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(FileCheckError)
  return error as FileCheckError
}

describe('a link of the repository leads out by no name of the workspace', () => {
  const cases: Array<[string, () => [string, string]]> = [
    [
      'an absolute path through the real workspace, the workspace a link',
      () => [wsLink, path.join(realWs, 'data', 'link.ndjson')]
    ],
    [
      'an absolute path through the link, the workspace a link',
      () => [wsLink, path.join(wsLink, 'data', 'link.ndjson')]
    ],
    [
      'an absolute path through the link, the workspace real',
      () => [realWs, path.join(wsLink, 'data', 'link.ndjson')]
    ],
    ['a relative path, the workspace a link', () => [wsLink, 'data/link.ndjson']]
  ]
  for (const [name, paths] of cases) {
    symlinkTest(`${name}: refused`, async () => {
      const [workspace, given] = paths()
      expect((await refusal(workspace, given)).message).toBe(
        `data/link.ndjson leads through a symbolic link to ${outsideFile}, outside the workspace; the action does not follow links out of the repository, whose content a pull request can change. If that file is the one to upload, give its real path in the workflow (path: ${outsideFile}).`
      )
    })
  }

  symlinkTest(
    'a folder of the repository that is a link out, by the real workspace: refused',
    async () => {
      const given = path.join(realWs, 'data-out', 'other.ndjson')
      expect((await refusal(wsLink, given)).message).toMatch(
        /^data-out\/other\.ndjson leads through a symbolic link to .*, outside the workspace;/
      )
    }
  )
})

describe('a file in the workspace, by either name', () => {
  for (const [name, given] of [
    ['relative', () => 'data/items.ndjson'],
    ['absolute, through the link', () => path.join(wsLink, 'data', 'items.ndjson')],
    ['absolute, through the real workspace', () => path.join(realWs, 'data', 'items.ndjson')]
  ] as const) {
    symlinkTest(`${name}: accepted, shown relative to the workspace`, async () => {
      expect(await locateFile(wsLink, given())).toEqual({
        path: path.join(realWs, 'data', 'items.ndjson'),
        shown: 'data/items.ndjson'
      })
    })
  }

  symlinkTest('a link to a file inside, by the real workspace: followed, and said so', async () => {
    expect(await locateFile(wsLink, path.join(realWs, 'data', 'alias.ndjson'))).toEqual({
      path: path.join(realWs, 'data', 'items.ndjson'),
      shown: 'data/alias.ndjson',
      linkTarget: path.join(realWs, 'data', 'items.ndjson')
    })
  })

  symlinkTest(
    'a missing file, by the real workspace: the scan says it does not exist',
    async () => {
      const located = await locateFile(wsLink, path.join(realWs, 'data', 'missing.ndjson'))
      expect(located.shown).toBe('data/missing.ndjson')
      await expect(scanFile(located.path, { label: located.shown })).rejects.toThrow(
        'data/missing.ndjson does not exist'
      )
    }
  )
})

describe('outside the workspace, as before', () => {
  test('an absolute path outside is the workflow’s choice: used as given', async () => {
    expect(await locateFile(realWs, outsideFile)).toEqual({ path: outsideFile, shown: outsideFile })
  })

  test('a relative path that climbs out is refused', async () => {
    const climbing = path.relative(realWs, outsideFile)
    expect((await refusal(realWs, climbing)).message).toMatch(
      /^\.\.[/\\]outside[/\\]other\.ndjson climbs out of the workspace \(to /
    )
  })

  test('a file in a workspace that is not a link: accepted, as it was', async () => {
    expect(await locateFile(realWs, 'data/items.ndjson')).toEqual({
      path: path.join(realWs, 'data', 'items.ndjson'),
      shown: 'data/items.ndjson'
    })
  })
})
