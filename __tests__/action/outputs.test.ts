import { afterAll, describe, expect, jest, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { DatasetId } from '../../src/nexus/types.js'

const outputs = new Map<string, string>()
const warning = jest.fn<(message: string) => void>()
jest.unstable_mockModule('@actions/core', () => ({
  setOutput: (name: string, value: string) => outputs.set(name, value),
  warning,
  setSecret: () => undefined
}))
const { MAX_OUTPUT_BYTES, setDatasetOutputs, setListOutputs } =
  await import('../../src/action/outputs.js')
const { keepSecret } = await import('../../src/shared/outside-text.js')

// Where the datasets files go, as under a runner; removed afterwards.
const runnerTemp = mkdtempSync(path.join(tmpdir(), 'outputs-test-'))
process.env.RUNNER_TEMP = runnerTemp
afterAll(() => rmSync(runnerTemp, { recursive: true, force: true }))

const dataset = (i: number, name = `n-${i}`) => ({
  id: `dataset_${i}` as DatasetId,
  name,
  status: { overview: 'Uploaded' }
})

describe('outputs within GitHub’s 1 MB limit', () => {
  test('datasets holds as many as fit, counted in UTF-8 bytes; the file all of them', () => {
    outputs.clear()
    // Three-byte characters: a count in UTF-16 units would let the output run over.
    const all = Array.from({ length: 400 }, (_, i) => dataset(i, '日'.repeat(1000)))
    setListOutputs(all)
    const value = outputs.get('datasets') ?? ''
    expect(Buffer.byteLength(value, 'utf8')).toBeLessThanOrEqual(MAX_OUTPUT_BYTES)
    const shown = JSON.parse(value) as unknown[]
    expect(shown.length).toBeGreaterThan(300)
    expect(shown.length).toBeLessThan(400)
    expect(outputs.get('datasets-truncated')).toBe('true')
    expect(outputs.get('count')).toBe('400')
    const file = JSON.parse(readFileSync(outputs.get('datasets-file') ?? '', 'utf8')) as unknown[]
    expect(file).toHaveLength(400)
    expect(file.slice(0, shown.length)).toEqual(shown)
  })

  test('a datasets file that cannot be written costs a warning, not the outputs', () => {
    outputs.clear()
    warning.mockClear()
    process.env.RUNNER_TEMP = path.join(runnerTemp, 'no', 'such', 'folder')
    try {
      setListOutputs([dataset(1), dataset(2)])
    } finally {
      process.env.RUNNER_TEMP = runnerTemp
    }
    expect(JSON.parse(outputs.get('datasets') ?? '')).toHaveLength(2)
    expect(outputs.get('count')).toBe('2')
    expect(outputs.get('datasets-file')).toBe('')
    expect(warning.mock.calls.map(([m]) => m)).toEqual([
      expect.stringMatching(
        /^Could not write the datasets file \(output datasets-file is empty\): ENOENT/
      )
    ])
  })

  test('a list that fits is whole, not truncated', () => {
    outputs.clear()
    setListOutputs([dataset(1), dataset(2)])
    expect(JSON.parse(outputs.get('datasets') ?? '')).toHaveLength(2)
    expect(outputs.get('datasets-truncated')).toBe('false')
  })

  test('any other output past the limit is left empty, with a warning', () => {
    outputs.clear()
    warning.mockClear()
    setDatasetOutputs(dataset(1, 'x'.repeat(MAX_OUTPUT_BYTES + 1)))
    expect(outputs.get('name')).toBe('')
    expect(outputs.get('dataset')).toBe('')
    expect(outputs.get('dataset-id')).toBe('dataset_1')
    expect(warning.mock.calls.map(([m]) => m)).toEqual([
      "Output name would be 976.6 KiB, over GitHub's limit of 1 MB for one output; it is left empty.",
      "Output dataset would be 976.6 KiB, over GitHub's limit of 1 MB for one output; it is left empty."
    ])
  })
})

describe('a credential the API repeats never reaches an output', () => {
  const KEY = 'sk_live_Q7v+/9Zx"Lm\\3Kp0'
  const SIGNED_URL = 'https://storage.example/b/o?X-Goog-Signature=0123abcd&X-Goog-Date=1'
  keepSecret(KEY)
  keepSecret(SIGNED_URL)
  const echoing = (i: number) => ({
    ...dataset(i, `n-${i} ${KEY}`),
    status: {
      overview: `Failed ${SIGNED_URL}`,
      message: `bad key ${encodeURIComponent(KEY)} at ${SIGNED_URL}`
    }
  })

  test('name, status and dataset: redacted, the JSON still JSON', () => {
    outputs.clear()
    setDatasetOutputs(echoing(1))
    expect(outputs.get('name')).toBe('n-1 ***')
    expect(outputs.get('status')).toBe('Failed ***')
    expect(JSON.parse(outputs.get('dataset') ?? '')).toEqual({
      id: 'dataset_1',
      name: 'n-1 ***',
      status: { overview: 'Failed ***', message: 'bad key *** at ***' }
    })
  })

  test('datasets and the datasets file: redacted, the JSON still JSON', () => {
    outputs.clear()
    setListOutputs([echoing(1), echoing(2)], { nextPage: `c-${KEY}`, prevPage: null })
    const file = readFileSync(outputs.get('datasets-file') ?? '', 'utf8')
    for (const text of [outputs.get('datasets') ?? '', file]) {
      expect((JSON.parse(text) as Array<{ name: string }>).map(d => d.name)).toEqual([
        'n-1 ***',
        'n-2 ***'
      ])
    }
    expect(outputs.get('next-page')).toBe('c-***')
    const everything = [...outputs.values(), file].join('\n')
    for (const form of [
      KEY,
      JSON.stringify(KEY).slice(1, -1),
      encodeURIComponent(KEY),
      SIGNED_URL
    ]) {
      expect(everything).not.toContain(form)
    }
  })
})
