import type { Dataset } from '../nexus/types.js'
import type { Report } from '../operations/context.js'
import { setDatasetOutputs, setListOutputs, setOutput } from './outputs.js'

/**
 * A step's report: its outputs, written as the runner wants them at once, and the facts its job
 * summary is built from when the step ends (main.ts).
 */
export function createReport(): Report {
  const facts: Report['facts'] = { durations: {} }
  const dataset = (d: Dataset): void => {
    facts.dataset = d
    setDatasetOutputs(d)
  }
  return {
    facts,
    dataset,
    datasets: setListOutputs,
    output: setOutput,
    deleted: () => {
      facts.deleted = true
      setOutput('deleted', 'true')
    },
    missing: datasetId => {
      facts.missing = datasetId
      setOutput('dataset-id', datasetId)
      setOutput('deleted', 'false')
    },
    reused: d => {
      facts.reused = true
      setOutput('reused', 'true')
      dataset(d)
    }
  }
}
