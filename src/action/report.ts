import type { Report } from '../operations/context.js'
import { setDatasetOutputs, setListOutputs, setOutput } from './outputs.js'

/**
 * A step's report: its outputs, written as the runner wants them at once, and the facts its job
 * summary is built from when the step ends (main.ts).
 */
export function createReport(): Report {
  const facts: Report['facts'] = { durations: {} }
  return {
    facts,
    dataset: dataset => {
      facts.dataset = dataset
      setDatasetOutputs(dataset)
    },
    datasets: setListOutputs,
    output: setOutput
  }
}
